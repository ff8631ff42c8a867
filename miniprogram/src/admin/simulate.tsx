import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import AdminGate from '../components/AdminGate'
import Chart from '../components/Chart'
import { chartHundredths } from '../utils/chart'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { ResponseOf } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { formatPoints, formatYuan } from '../utils/format'
import { px } from '../utils/px'

/**
 * 模拟沙盘 (issue 17): the operator sets the parameters and the assumptions, admin.simulate runs the product's
 * own rules over up to 1,095 days (shared/simulate.ts), and the page draws the series. Every figure comes from
 * the backend as a decimal string; charts take integer hundredths (utils/chart.ts).
 */
export default function AdminSimulatePage() {
  return (
    <PageShell>
      <AdminGate>
        <Sandbox />
      </AdminGate>
    </PageShell>
  )
}

type Result = ResponseOf<'admin', 'simulate'>

/** Assumption fields, typed as text and sent as the decimal strings the backend validates. */
interface Form {
  days: string
  yuanPerDay: string
  growthPerDay: string
  yuanList: string
  pointsShare: string
  storeMix: string
  sellShare: string
  priceDrift: string
  pricePath: string
  referenceYuan: string
  referenceDay: string
}

const START: Form = {
  days: '1095',
  yuanPerDay: '50000',
  growthPerDay: '0',
  yuanList: '',
  pointsShare: '0',
  storeMix: '1',
  sellShare: '0',
  priceDrift: '0',
  pricePath: '',
  referenceYuan: '1000',
  referenceDay: '1',
}

const FIELDS: { key: keyof Form; label: string; hint: string }[] = [
  { key: 'days', label: '模拟天数', hint: '1–1095' },
  { key: 'yuanPerDay', label: '每日消费（元）', hint: '全平台首日消费' },
  { key: 'growthPerDay', label: '每日增长率', hint: '0.003 = 每天增长 0.3%' },
  { key: 'yuanList', label: '逐日消费（元）', hint: '如 500,800,1200；填写后代替上两项，之后按最后一天' },
  { key: 'pointsShare', label: '积分支付比例', hint: '0.2 = 消费的 20% 用积分付' },
  { key: 'storeMix', label: '门店销售占比', hint: '如 3,1,1 = 三家店，第一家占 60%' },
  { key: 'sellShare', label: '卖出比例', hint: '用户把每日释放所得的多少卖出' },
  { key: 'priceDrift', label: '卖价每日变动', hint: '0.01 = 挂单价比指导价高 1%（受价格浮动范围限制）' },
  { key: 'pricePath', label: '逐日成交价（分）', hint: '如 200,210,205；填写后代替上一项' },
  { key: 'referenceYuan', label: '参考消费（元）', hint: '第几天的一笔现金消费' },
  { key: 'referenceDay', label: '参考消费日', hint: '第 1 天 = 开始日' },
]

const WHOLE = /^\d+$/

/** The SPEC §3 parameters the simulation reads (the others are timings of single orders and trades). */
const SIM_PARAMS = ['rebateRate', 'userSvMultiplier', 'merchantSvMultiplier', 'merchantDepositValueFen', 'releasePerDay', 'releaseTotal', 'initialGuidePriceFen', 'marketFeeRate', 'treasuryReserve', 'priceBand']

const listOf = (s: string) => s.split(/[,，\s]+/).filter((x) => x !== '')

function spendingOf(f: Form) {
  const list = listOf(f.yuanList)
  if (list.length) return { kind: 'list' as const, yuan: list }
  const growth = f.growthPerDay.trim()
  return growth === '' || /^0(\.0*)?$/.test(growth)
    ? { kind: 'constant' as const, yuanPerDay: f.yuanPerDay.trim() }
    : { kind: 'growth' as const, yuanPerDay: f.yuanPerDay.trim(), growthPerDay: growth }
}

function priceOf(f: Form) {
  const path = listOf(f.pricePath)
  if (!path.length) return { kind: 'drift' as const, perDay: f.priceDrift.trim() }
  if (!path.every((x) => WHOLE.test(x))) throw new Error('成交价必须是整数（分）')
  return { kind: 'path' as const, fen: path.map(Number) }
}

function assumptionsOf(f: Form) {
  if (!WHOLE.test(f.days.trim()) || !WHOLE.test(f.referenceDay.trim())) throw new Error('天数必须是整数')
  return {
    days: Number(f.days.trim()),
    spending: spendingOf(f),
    pointsShare: f.pointsShare.trim(),
    storeMix: listOf(f.storeMix),
    sellShare: f.sellShare.trim(),
    price: priceOf(f),
    reference: { yuan: f.referenceYuan.trim(), day: Number(f.referenceDay.trim()) },
  }
}

function Sandbox() {
  const live = useQuery(() => call('admin', 'params', {}), [], { refreshOnShow: false })
  const [form, setForm] = useState<Form>(START)
  const [params, setParams] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<Result | null>(null)
  const run = async () => {
    let assumptions
    try {
      assumptions = assumptionsOf(form)
    } catch (e) {
      return Taro.showToast({ title: (e as Error).message, icon: 'none' })
    }
    // only the parameters the admin changed; the rest are the live values
    const changed: Record<string, string | number> = {}
    for (const [k, v] of Object.entries(params)) {
      const t = v.trim()
      if (t === '') continue
      changed[k] = typeof live.data?.params[k] === 'number' && WHOLE.test(t) ? Number(t) : t
    }
    setBusy(true)
    try {
      setResult(await call('admin', 'simulate', { params: changed, assumptions }))
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page admin-simulate-page'>
      <View className='card sim-notice'>
        <View className='small' style={{ lineHeight: 1.7 }}>
          按与平台实际运行<Text className='strong'>同一套规则</Text>逐日推演。消费、卖出、价格都是<Text className='strong'>假设</Text>，结果不是预测，更不是对用户的收益承诺。
        </View>
        <View className='link-text small sim-explain-link' style={{ marginTop: px(8) }} onClick={() => Taro.navigateTo({ url: '/pages/explain/index' })}>
          风险说明：共享值如何转换（给用户看的通俗说明） ›
        </View>
      </View>

      <View className='section-title'>假设</View>
      <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
        {FIELDS.map((f) => (
          <View key={f.key} className='row' style={{ alignItems: 'center' }}>
            <View className='grow'>
              <View className='label'>{f.label}</View>
              <View className='muted small'>{f.hint}</View>
            </View>
            <Input className={`input sim-${f.key}`} style={{ width: px(240), textAlign: 'right' }} value={form[f.key]} onInput={(e) => setForm({ ...form, [f.key]: e.detail.value })} />
          </View>
        ))}
      </View>

      <View className='section-title'>参数（留空 = 当前线上值）</View>
      <QueryView q={live}>
        {(d) => (
          <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
            {SIM_PARAMS.filter((k) => k in d.params).map((k) => (
              <View key={k} className='row' style={{ alignItems: 'center' }}>
                <View className='grow small'>{d.labels[k] || k}</View>
                <Input className={`input sim-param-${k}`} style={{ width: px(240), textAlign: 'right' }} placeholder={String(d.params[k])} value={params[k] || ''} onInput={(e) => setParams({ ...params, [k]: e.detail.value })} />
              </View>
            ))}
          </View>
        )}
      </QueryView>

      <View className='pad'>
        <Button className='btn-block sim-run' type='primary' block loading={busy} onClick={run}>运行模拟</Button>
      </View>
      {result && <Outcome r={result} />}
    </View>
  )
}

function Outcome({ r }: { r: Result }) {
  const s = r.summary
  const ref = s.reference
  const x = r.series
  const never = (d: number | null) => (d === null ? '模拟期内达不到' : `第 ${d} 天`)
  return (
    <View className='sim-outcome'>
      <View className='section-title'>结果（{s.days} 天，至 {s.lastDate}）</View>
      <View className='card'>
        <View className='stat-grid'>
          <View className='stat'><View className='stat-label'>累计释放</View><View className='stat-value sim-released'>{formatPoints(s.released)}</View></View>
          <View className='stat'><View className='stat-label'>未释放</View><View className='stat-value sim-unreleased'>{formatPoints(s.unreleased)}</View></View>
          <View className='stat'><View className='stat-label'>全网共享值 T</View><View className='stat-value'>{formatPoints(s.svTotal)}</View></View>
          <View className='stat'><View className='stat-label'>期末指导价</View><View className='stat-value'>¥{formatPoints(s.guidePrice)}</View></View>
          <View className='stat'><View className='stat-label'>封顶天数</View><View className='stat-value sim-capped'>{s.cappedDays}</View></View>
          <View className='stat'><View className='stat-label'>平台库存</View><View className='stat-value'>{formatPoints(s.treasury)}</View></View>
          <View className='stat'><View className='stat-label'>流通积分</View><View className='stat-value'>{formatPoints(s.circulation)}</View></View>
          <View className='stat'><View className='stat-label'>向商家售出积分收入</View><View className='stat-value'>{formatYuan(s.treasuryIncomeFen)}</View></View>
        </View>
        <View className='muted small'>封顶：当天释放的价值超过全网共享值，只释放 T ÷ 指导价，所有共享值归零，其余留待以后。运算 {r.ms} ms。</View>
      </View>

      <View className='section-title'>参考消费 ¥{formatPoints(ref.purchaseYuan)}</View>
      <View className='card sim-reference'>
        <View className='row'><Text className='label'>累计获得积分</Text><Text className='value sim-ref-points'>{formatPoints(ref.pointsReceived)}</Text></View>
        <View className='row'><Text className='label'>按指导价约值</Text><Text className='value sim-ref-value'>¥{formatPoints(ref.valueReceivedYuan)}</Text></View>
        <View className='row'><Text className='label'>对比让利</Text><Text className='value'>¥{formatPoints(ref.rebateYuan)}</Text></View>
        <View className='row'><Text className='label'>达到让利一半</Text><Text className='value sim-ref-half'>{never(ref.halfDay)}</Text></View>
        <View className='row'><Text className='label'>达到让利 90%</Text><Text className='value'>{never(ref.ninetyDay)}</Text></View>
        <Chart
          days={x.date}
          series={[
            { name: '获得积分的价值（元）', color: '#07c160', values: x.refValueYuan.map(chartHundredths) },
            { name: '让利（元）', color: '#fa9d3b', values: x.day.map(() => chartHundredths(ref.rebateYuan)) },
          ]}
        />
      </View>

      <View className='section-title'>每日释放（积分）</View>
      <View className='card'>
        <Chart days={x.date} series={[{ name: '释放', color: '#07c160', values: x.released.map(chartHundredths) }]} />
      </View>
      <View className='section-title'>全网共享值 T 与指导价</View>
      <View className='card'>
        <Chart days={x.date} series={[{ name: '全网共享值', color: '#10aeff', values: x.svTotal.map(chartHundredths) }]} />
        <Chart days={x.date} series={[{ name: '指导价（元）', color: '#fa5151', values: x.guidePriceFen }]} />
      </View>
      <View className='section-title'>积分去向</View>
      <View className='card'>
        <Chart
          days={x.date}
          series={[
            { name: '流通', color: '#07c160', values: x.circulation.map(chartHundredths) },
            { name: '平台库存', color: '#10aeff', values: x.treasury.map(chartHundredths) },
            { name: '商家持有', color: '#fa9d3b', values: x.merchantsPoints.map(chartHundredths) },
          ]}
        />
        <Chart days={x.date} series={[{ name: '未释放', color: '#8c8c8c', values: x.unreleased.map(chartHundredths) }]} />
      </View>
      <View className='section-title'>商家每日扣除（积分）</View>
      <View className='card'>
        <Chart days={x.date} series={[{ name: '扣除', color: '#fa5151', values: x.deductions.map(chartHundredths) }]} />
      </View>
    </View>
  )
}
