import { View, Text } from '@tarojs/components'
import { EXPLAINER } from '../../../../shared/simExplainer.data'
import type { ExplainerScenario } from '../../../../shared/simExplainer'
import { formatPoints } from '../../utils/format'
import { px } from '../../utils/px'

/**
 * 共享值如何转换: the plain-language page the risk notice links to. Its figures are the simulator's default
 * run (shared/simExplainer.ts, the product's own rules), generated at build time: nothing is computed here.
 * Readable before the risk notice is accepted, so it is not wrapped in PageShell and needs no login.
 */
export default function ExplainPage() {
  const f = EXPLAINER
  return (
    <View className='page explain-page'>
      <View className='card'>
        <View className='card-title'>一笔消费会得到什么</View>
        <View className='small explain-text' style={{ lineHeight: 1.8 }}>
          您在商家用现金消费 ¥{formatPoints(f.purchaseYuan)}，平台让利 ¥{formatPoints(f.rebateYuan)}，您得到
          <Text className='strong'> {formatPoints(f.svReceived)} 共享值</Text>。共享值不能提现、不能转让，只能通过每晚的释放，一点一点转换成共享积分。
        </View>
      </View>

      <View className='card'>
        <View className='card-title'>每天只转换一小部分</View>
        <View className='small' style={{ lineHeight: 1.8 }}>
          每晚 22:00 平台释放 {formatPoints(f.releasePerDay)} 个积分，按每个人的共享值占全网共享值的比例分配；分到的积分按当天指导价消耗等值的共享值。
          所以<Text className='strong'>每个人的共享值每天按同一个比例减少一点</Text>，剩下的越来越少，转换得也越来越慢，一般不会全部转换完。
        </View>
      </View>

      <View className='card'>
        <View className='card-title'>平台越大，每一元得到的越少</View>
        <View className='small' style={{ lineHeight: 1.8 }}>
          每天释放的积分是固定的，而全网共享值随着大家的消费不断增加。平台消费越多，同样一笔消费分到的积分就越少。
          下面是同一笔 ¥{formatPoints(f.purchaseYuan)} 消费在不同规模下的模拟结果（积分按指导价 ¥{formatPoints(f.guidePrice)} 计价）：
        </View>
        {f.scenarios.map((s) => <Scenario key={s.label} s={s} rebate={f.rebateYuan} />)}
      </View>

      <View className='card explain-notice'>
        <View className='card-title red'>请注意</View>
        <View className='small' style={{ lineHeight: 1.8, color: '#4f4f4f' }}>
          <View>1. 以上是<Text className='strong'>模拟计算</Text>：使用平台默认参数，假设指导价一直是 ¥{formatPoints(f.guidePrice)}、没有人买卖积分。实际结果取决于全平台的消费和市场，会不同。</View>
          <View>2. <Text className='strong'>这不是收益承诺</Text>。共享积分没有保证的现金价值，价格可能下跌，也可能卖不出去。</View>
          <View>3. 模拟使用与平台实际运行完全相同的计算规则。</View>
        </View>
      </View>
    </View>
  )
}

function Scenario({ s, rebate }: { s: ExplainerScenario; rebate: string }) {
  const when = (d: number | null) => (d === null ? `${EXPLAINER.days} 天内达不到` : `第 ${d} 天`)
  return (
    <View className='explain-scenario' style={{ marginTop: px(24) }}>
      <View className='strong small'>{s.label}</View>
      <View className='muted small'>第一天释放转换全网共享值的 {s.day1ConvertedPercent}%</View>
      <View className='table'>
        <View className='tr th'>
          <Text className='td'>时间</Text>
          <Text className='td'>累计获得积分</Text>
          <Text className='td'>按指导价约值</Text>
          <Text className='td'>剩余共享值</Text>
        </View>
        {s.after.map((a) => (
          <View className='tr' key={a.day}>
            <Text className='td'>{a.day === 1 ? '第 1 天' : a.day === 365 ? '1 年' : a.day === 1095 ? '3 年' : `${a.day} 天`}</Text>
            <Text className='td'>{formatPoints(a.points)}</Text>
            <Text className='td'>¥{formatPoints(a.valueYuan)}</Text>
            <Text className='td'>{formatPoints(a.svLeft)}</Text>
          </View>
        ))}
      </View>
      <View className='muted small'>达到让利 ¥{formatPoints(rebate)} 的一半：{when(s.halfDay)}；达到 90%：{when(s.ninetyDay)}</View>
    </View>
  )
}
