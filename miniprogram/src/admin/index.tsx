import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import PageShell from '../components/PageShell'
import Chart from '../components/Chart'
import { chartHundredths } from '../utils/chart'
import { QueryView } from '../components/States'
import AdminGate from '../components/AdminGate'
import { call } from '../services/cloud'
import { useQuery } from '../utils/hooks'
import { serverNow } from '../services/clock'
import { formatDateTime, formatDay, formatPoints, formatYuan } from '../utils/format'
import { px } from '../utils/px'

export default function AdminPage() {
  return (
    <PageShell>
      <AdminGate>
        <Dashboard />
      </AdminGate>
    </PageShell>
  )
}

function Dashboard() {
  const q = useQuery(() => call('admin', 'dashboard', {}), [])
  const go = (url: string) => Taro.navigateTo({ url })
  return (
    <View className='page admin-page'>
      <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
        <View className='row link admin-merchants' onClick={() => go('/admin/merchants')}><Text className='grow'>商家审核</Text></View>
        <View className='row link admin-appeals' onClick={() => go('/admin/appeals')}><Text className='grow'>交易申诉</Text></View>
        <View className='row link admin-release' onClick={() => go('/admin/release')}><Text className='grow'>每日释放</Text></View>
        <View className='row link admin-price' onClick={() => go('/admin/price')}><Text className='grow'>指导价</Text></View>
        <View className='row link admin-banners' onClick={() => go('/admin/banners')}><Text className='grow'>首页横幅</Text></View>
        <View className='row link admin-params' onClick={() => go('/admin/params')}><Text className='grow'>参数与审计</Text></View>
        <View className='row link admin-simulate' onClick={() => go('/admin/simulate')}><Text className='grow'>模拟沙盘</Text></View>
      </View>
      <QueryView q={q}>
        {(d) => {
          const rel = [...d.releases].reverse()
          return (
            <View>
              <View className='card'>
                <View className='card-title'>平台概览</View>
                <View className='stat-grid'>
                  <View className='stat'><View className='stat-label'>全网共享值</View><View className='stat-value dash-total-sv'>{formatPoints(d.totalSv)}</View></View>
                  <View className='stat'><View className='stat-label'>流通积分</View><View className='stat-value dash-circulating'>{formatPoints(d.circulatingPoints)}</View></View>
                  <View className='stat'><View className='stat-label'>平台库存（国库）</View><View className='stat-value dash-treasury'>{formatPoints(d.treasury)}</View></View>
                  <View className='stat'><View className='stat-label'>今日指导价</View><View className='stat-value'>{formatYuan(d.guidePriceFen)}</View></View>
                  <View className='stat'><View className='stat-label'>已释放</View><View className='stat-value'>{formatPoints(d.released)}</View></View>
                  <View className='stat'><View className='stat-label'>待释放</View><View className='stat-value'>{formatPoints(d.unissued)}</View></View>
                  <View className='stat'><View className='stat-label'>待入账释放池</View><View className='stat-value'>{formatPoints(d.pool)}</View></View>
                  <View className='stat'><View className='stat-label'>用户 / 商家</View><View className='stat-value'>{d.users} / {d.merchants}</View></View>
                </View>
              </View>
              <View className='section-title'>每日释放</View>
              <View className='card'>
                <Chart days={rel.map((r) => r.day)} series={[{ name: '释放积分', color: '#07c160', kind: 'bar', values: rel.map((r) => chartHundredths(r.released)) }]} />
                {d.releases.slice(0, 7).map((r) => (
                  <View key={r.day} className='row'>
                    <Text className='label'>{formatDay(r.day)}</Text>
                    <Text className='value small'>释放 {formatPoints(r.released)} · 全网共享值 {formatPoints(r.totalSv)} · 当日指导价 {formatYuan(r.guidePriceFen)}</Text>
                  </View>
                ))}
              </View>
              <View className='section-title'>指导价走势（元）</View>
              <View className='card'>
                <Chart days={d.priceHistory.map((p) => p.day)} series={[{ name: '指导价', color: '#10aeff', values: d.priceHistory.map((p) => p.guidePriceFen) }]} />
              </View>
              <View className='pad muted small'>数据时间 {formatDateTime(serverNow())}</View>
            </View>
          )
        }}
      </QueryView>
    </View>
  )
}
