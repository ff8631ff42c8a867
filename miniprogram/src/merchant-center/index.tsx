import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import PageShell from '../components/PageShell'
import ReleaseStatements from '../components/ReleaseStatements'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { refreshMe } from '../services/session'
import type { MerchantPrivate } from '../services/types'
import { useQuery } from '../utils/hooks'
import { formatPoints, formatYuan, isNegative, isZero } from '../utils/format'
import { MERCHANT_STATUS } from '../utils/labels'
import { px } from '../utils/px'
import { StoreModes } from '../components/Fulfilment'
import StoreFigures, { CountBadge, useStoreDashboard } from '../components/StoreFigures'

export default function MerchantCenterPage() {
  return (
    <PageShell>
      <Center />
    </PageShell>
  )
}

function Center() {
  const q = useQuery(async () => {
    const m = await call('merchant', 'mine', {})
    if (m) refreshMe()
    return { m }
  }, [])
  return <QueryView q={q}>{({ m }) => (m ? <Dashboard m={m} /> : <Intro />)}</QueryView>
}

function Intro() {
  return (
    <View className='page mc-intro'>
      <View className='card'>
        <View className='card-title'>成为共享购商家</View>
        <View className='small' style={{ color: '#4f4f4f', lineHeight: 1.8 }}>
          <View>· 顾客在您店里消费的现金部分，平台按让利比例为顾客和您都产生共享值，每晚按全网占比释放为积分。</View>
          <View>· 每笔现金收入需扣除等值于让利部分的共享积分（按当日指导价折算）。</View>
          <View>· 审核通过后，需持有一定价值的共享积分作为保证金才能接单，可直接向平台购买。</View>
          <View>· 顾客可以用积分抵扣货款，抵扣的积分归您所有。</View>
        </View>
        <Button className='btn-block apply-merchant' type='primary' block onClick={() => Taro.navigateTo({ url: '/merchant-center/apply' })}>申请入驻</Button>
      </View>
    </View>
  )
}

function Dashboard({ m }: { m: MerchantPrivate }) {
  const go = (url: string) => Taro.navigateTo({ url })
  const needsPoints = !isZero(m.depositPointsNeeded) && !isNegative(m.depositPointsNeeded)
  const figures = useStoreDashboard()
  return (
    <View className='page mc-dashboard'>
      <View className='card'>
        <View className='flex-between'>
          <Text className='strong' style={{ fontSize: px(34) }}>{m.name}</Text>
          <Text className={`tag ${m.status === 'active' ? 'success' : m.status === 'rejected' ? 'danger' : 'warn'} merchant-status`}>{MERCHANT_STATUS[m.status]}</Text>
        </View>
        <View className='muted'>{m.category} · {m.address}</View>
        {m.status === 'pending' && <View className='notice-bar mt' style={{ borderRadius: px(8) }}>申请已提交，平台审核通过后即可缴纳保证金开通。</View>}
        {m.status === 'rejected' && (
          <View className='mt'>
            <View className='notice-bar' style={{ borderRadius: px(8) }}>未通过原因：{m.rejectReason || '—'}</View>
            <Button className='btn-block' type='primary' block onClick={() => go('/merchant-center/apply')}>修改后重新申请</Button>
          </View>
        )}
        {m.status === 'suspended' && (
          <View className='notice-bar mt merchant-suspension' style={{ borderRadius: px(8) }}>
            平台已暂停本店接单：{m.suspension?.reason || '—'}。已有订单照常处理（发货、退款）。
          </View>
        )}
        {m.status !== 'suspended' && m.reinstatement && (
          <View className='muted mt merchant-reinstatement'>已恢复营业：{m.reinstatement.reason}</View>
        )}
        {m.status !== 'pending' && m.status !== 'rejected' && m.status !== 'suspended' && !m.acceptingOrders && (
          <View className='notice-bar mt' style={{ borderRadius: px(8) }}>
            {isNegative(m.pointsBalance) ? '积分余额低于 0，顾客暂时无法下单，请补充积分。' : `还需购买 ${formatPoints(m.depositPointsNeeded)} 积分作为保证金才能开始接单。`}
          </View>
        )}
      </View>

      {m.status !== 'pending' && m.status !== 'rejected' && (
        <View>
          <View className='card'>
            <View className='stat-grid'>
              <View className='stat'>
                <View className='stat-label'>积分余额</View>
                <View className={`stat-value merchant-points ${isNegative(m.pointsBalance) ? 'red' : ''}`}>{formatPoints(m.pointsBalance)}</View>
              </View>
              <View className='stat'>
                <View className='stat-label'>保证金要求</View>
                <View className='stat-value'>{formatYuan(m.depositValueFen)}</View>
              </View>
              <View className='stat'>
                <View className='stat-label'>共享值</View>
                <View className='stat-value'>{formatPoints(m.sharedValue)}</View>
              </View>
              <View className='stat'>
                <View className='stat-label'>已结算销售额</View>
                <View className='stat-value merchant-sales'>{formatYuan(m.salesFen)}</View>
              </View>
            </View>
            <Button className='btn-block buy-deposit' type={needsPoints ? 'primary' : 'default'} block onClick={() => go('/merchant-center/deposit')}>
              {needsPoints ? `购买保证金积分（还需 ${formatPoints(m.depositPointsNeeded)}）` : '补充积分'}
            </Button>
          </View>
          <StoreFigures q={figures} />
          <StoreModes m={m} />
          <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
            <View className='row link mc-products' onClick={() => go('/merchant-center/products')}><Text className='grow'>商品管理</Text></View>
            <View className='row link mc-orders' onClick={() => go('/merchant-center/orders')}><Text className='grow'>订单与发货</Text><CountBadge className='to-handle-badge' n={figures.data?.toHandle ?? 0} /></View>
            <View className='row link mc-paycode' onClick={() => go('/merchant-center/paycode')}><Text className='grow'>到店收款码</Text></View>
            <View className='row link' onClick={() => go(`/pages/merchant/index?id=${encodeURIComponent(m.id)}`)}><Text className='grow'>查看我的店铺</Text></View>
          </View>
          <View className='pad muted small'>每笔顾客付款会按当日指导价扣除现金 × 让利比例的积分；积分余额低于 0 时顾客无法下单。积分可向平台购买，也可在 C2C 市场买入。</View>
          <StoreStatements />
        </View>
      )}
    </View>
  )
}

/** The store's release statement (SPEC §5), as the user's assets page shows a user's. */
function StoreStatements() {
  const st = useQuery(() => call('merchant', 'statements', { days: 30 }), [])
  return (
    <View className='mc-statements'>
      <View className='section-title'>店铺每日释放（近 30 天）</View>
      <ReleaseStatements items={st.data?.items} error={st.error} onRetry={st.reload} empty='店铺还没有释放记录。顾客消费为店铺产生共享值后，当晚起每天释放积分到店铺余额。' />
    </View>
  )
}
