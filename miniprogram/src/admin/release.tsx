import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { ReleaseDayRecord } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { formatDateTime, formatDay, formatPoints, formatYuan } from '../utils/format'
import AdminGate from '../components/AdminGate'
import { px } from '../utils/px'

export default function AdminReleasePage() {
  return (
    <PageShell>
      <AdminGate>
        <Release />
      </AdminGate>
    </PageShell>
  )
}

function Record({ r }: { r: ReleaseDayRecord }) {
  return (
    <View className='release-record' style={{ borderTop: `${px(1)} solid #f0f0f0`, padding: `${px(14)} 0` }}>
      <View className='flex-between'><Text className='strong'>{formatDay(r.day)}（{r.day}）</Text><Text className='green strong'>释放 {formatPoints(r.released)}</Text></View>
      <View className='muted small'>计划释放 {formatPoints(r.scheduled)} · 全网共享值 {formatPoints(r.totalSv)} · 当日指导价 {formatYuan(r.guidePriceFen)} · 持有人 {r.holders}</View>
      <View className='muted small'>消耗共享值 {formatPoints(r.svConsumed)} · 取整零头 {formatPoints(r.roundingLeft)} · 次日指导价 {formatYuan(r.nextGuidePriceFen)} · {formatDateTime(r.at)}</View>
    </View>
  )
}

function Release() {
  const q = useQuery(() => call('admin', 'releaseStatus', {}), [])
  const [busy, setBusy] = useState(false)
  const now = async (due: string[]) => {
    if (!due.length) return
    const c = await Taro.showModal({
      title: '立即释放',
      content: `将按顺序补发 ${due.join('、')} 的释放。每天只会释放一次，重复点击不会多发。`,
      confirmText: '释放',
      cancelText: '取消',
    })
    if (!c.confirm) return
    setBusy(true)
    try {
      const r = await call('admin', 'releaseNow', {})
      await Taro.showModal({
        title: r.released.length ? '释放完成' : '没有需要释放的日子',
        content: r.released.map((x) => `${x.day}：释放 ${formatPoints(x.released)} 积分`).join('\n') || '今天的释放已经完成，或还没到释放时间。',
        showCancel: false,
        confirmText: '好的',
      })
      q.reload()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page admin-release-page'>
      <QueryView q={q}>
        {(s) => (
          <View>
            <View className='card'>
              <View className='row'><Text className='label'>上次释放</Text><Text className='value release-last'>{s.lastReleasedDay || '尚未释放'}</Text></View>
              <View className='row'><Text className='label'>下次释放</Text><Text className='value'>{formatDateTime(s.nextReleaseAt)}</Text></View>
              <View className='row'><Text className='label'>累计释放</Text><Text className='value'>{formatPoints(s.released)}</Text></View>
              <View className='row'><Text className='label'>剩余待释放</Text><Text className='value'>{formatPoints(s.remaining)}</Text></View>
              <View className='row'><Text className='label'>错过未释放</Text><Text className={`value release-due ${s.dueDays.length ? 'red' : ''}`}>{s.dueDays.length ? s.dueDays.join('、') : '无'}</Text></View>
              {s.dueDays.length ? (
                <Button className='btn-block release-now' type='primary' block loading={busy} onClick={() => now(s.dueDays)}>
                  立即释放（{s.dueDays.length} 天）
                </Button>
              ) : (
                <View className='disabled-reason release-nothing-due'>没有待释放的日子：下次 {formatDateTime(s.nextReleaseAt)} 自动释放</View>
              )}
              <View className='muted small mt'>释放由定时器每晚 22:00 自动执行；如果某天错过（例如定时器故障），在这里补发，按日期顺序执行，每天最多一次。</View>
            </View>
            <View className='section-title'>最近释放</View>
            <View className='card' style={{ paddingTop: px(8) }}>
              {s.recent.length === 0 ? <View className='muted center'>还没有释放记录</View> : s.recent.map((r) => <Record key={r.day} r={r} />)}
              <View className='muted small mt rounding-note'>取整零头：每位持有人分得的积分向下取整到 0.01，取整剩下的零头留在释放池里，之后照常释放，不会丢失，也不会多发。</View>
            </View>
          </View>
        )}
      </QueryView>
    </View>
  )
}
