import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import PageShell from '../../components/PageShell'
import ReleaseStatements from '../../components/ReleaseStatements'
import { QueryView } from '../../components/States'
import { call } from '../../services/cloud'
import { askConsent, H5_EXPLANATION } from '../../services/subscribe'
import { showError, useQuery } from '../../utils/hooks'
import { formatDateTime, formatPoints, formatYuan, isZero } from '../../utils/format'
import { px } from '../../utils/px'

export default function AssetsPage() {
  return (
    <PageShell>
      <Assets />
    </PageShell>
  )
}

function Assets() {
  const a = useQuery(() => call('user', 'assets', {}), [])
  const st = useQuery(() => call('user', 'statements', { days: 30 }), [])
  return (
    <View className='page assets-page'>
      <QueryView q={a}>
        {(d) => (
          <View>
            <View className='card' style={{ background: 'linear-gradient(135deg,#07c160,#059a4c)', color: '#fff' }}>
              <View style={{ fontSize: px(24), opacity: 0.85 }}>可用积分</View>
              <View className='big-number assets-available'>{formatPoints(d.available)}</View>
              <View className='flex' style={{ marginTop: px(16) }}>
                <View className='grow'>
                  <View style={{ fontSize: px(22), opacity: 0.85 }}>共享值</View>
                  <View className='mid-number assets-sv'>{formatPoints(d.sharedValue)}</View>
                </View>
                <View className='grow'>
                  <View style={{ fontSize: px(22), opacity: 0.85 }}>挂单冻结积分</View>
                  <View className='mid-number assets-escrow'>{formatPoints(d.escrow)}</View>
                </View>
              </View>
            </View>
            <View className='card'>
              <View className='row'><Text className='label'>今日指导价</Text><Text className='value strong assets-price'>{formatYuan(d.guidePriceFen)} / 积分</Text></View>
              <View className='row'><Text className='label'>下次释放</Text><Text className='value'>{formatDateTime(d.nextReleaseAt)}</Text></View>
              {!isZero(d.unsettled) && <View className='row'><Text className='label'>待入账释放</Text><Text className='value'>{formatPoints(d.unsettled)}</Text></View>}
              <View className='row'><Text className='label'>业务日</Text><Text className='value'>{d.businessDay}</Text></View>
              <View className='muted small mt'>共享值来自消费，每晚 22:00 按全网占比释放为积分，释放所得 × 指导价的共享值同时被消耗。积分没有保证的现金价值，价格可能下跌。</View>
              <View className='btn-row'>
                <Button onClick={() => Taro.navigateTo({ url: '/pages/transfer/index' })}>转赠积分</Button>
                <Button onClick={() => Taro.navigateTo({ url: '/pages/ledger/index' })}>积分明细</Button>
                <Button type='primary' onClick={() => Taro.switchTab({ url: '/pages/market/index' })}>去交易</Button>
              </View>
            </View>
          </View>
        )}
      </QueryView>

      <ReleaseNotice />

      <View className='section-title'>每日释放（近 30 天）</View>
      <ReleaseStatements items={st.data?.items} error={st.error} onRetry={st.reload} empty='还没有释放记录。消费产生共享值后，当晚 22:00 起每天释放积分。' />
    </View>
  )
}

/**
 * The nightly release notice: each acceptance of the template lets the platform send one notice (WeChat's
 * one-time subscription), so the user taps again for the following nights.
 */
function ReleaseNotice() {
  const weapp = process.env.TARO_ENV === 'weapp'
  const subscribe = async () => {
    // first thing in the tap: WeChat shows the consent dialog only from a tap
    const consent = await askConsent('release')
    if (!consent.asked) {
      Taro.showToast({ title: consent.reason ?? H5_EXPLANATION, icon: 'none' })
      return
    }
    try {
      const accepted = consent.accepted.includes('releaseNotice')
      const r = await call('user', 'subscribeRelease', { accepted })
      Taro.showToast({ title: accepted ? `已订阅（可通知 ${r.credits} 次）` : '未订阅释放通知', icon: accepted ? 'success' : 'none' })
    } catch (e) {
      showError(e)
    }
  }
  return (
    <View className='card release-notice'>
      <View className='flex-between'>
        <Text className='strong'>释放到账通知</Text>
        <Button size='small' type='primary' className='release-subscribe' onClick={subscribe}>
          通知我
        </Button>
      </View>
      <View className='muted small mt'>
        {weapp ? '每晚 22:00 释放后，用微信服务通知告诉您当天获得的积分。每同意一次可收到一次通知。' : H5_EXPLANATION}
      </View>
    </View>
  )
}
