import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import NumberInput from '../components/NumberInput'
import { checkPoints, depositCashFen } from '../utils/input'
import { Button } from '@nutui/nutui-react-taro'
import { useEffect, useRef, useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import Segmented from '../components/Segmented'
import { usePayment } from '../components/Payment'
import { call, newRequestId } from '../services/cloud'
import type { MerchantPrivate } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { formatPoints, formatYuan, isNegative, isZero } from '../utils/format'

export default function DepositPage() {
  return (
    <PageShell>
      <DepositLoader />
    </PageShell>
  )
}

type Mode = 'buy' | 'in' | 'out'

function DepositLoader() {
  const q = useQuery(() => call('merchant', 'mine', {}), [], { refreshOnShow: false })
  const a = useQuery(() => call('user', 'assets', {}), [], { refreshOnShow: false })
  const [mode, setMode] = useState<Mode>('buy')
  return (
    <QueryView q={q}>
      {(m) =>
        !m ? (
          <View className='state'>请先申请入驻</View>
        ) : (
          <View>
            <Segmented<Mode>
              items={[
                { key: 'buy', text: '向平台购买' },
                { key: 'in', text: '从我的积分转入' },
                { key: 'out', text: '转出到我的积分' },
              ]}
              value={mode}
              onChange={setMode}
            />
            {mode === 'buy' ? (
              <Deposit m={m} guidePriceFen={a.data?.guidePriceFen} onDone={() => q.reload()} />
            ) : (
              <MovePoints
                m={m}
                direction={mode === 'in' ? 'toMerchant' : 'toAvailable'}
                available={a.data?.available}
                onDone={(n) => {
                  q.setData(n)
                  a.reload()
                }}
              />
            )}
          </View>
        )
      }
    </QueryView>
  )
}

/** Moves points between the owner's own available points and the store (e.g. points bought on the C2C market). */
function MovePoints({ m, direction, available, onDone }: { m: MerchantPrivate; direction: 'toMerchant' | 'toAvailable'; available?: string; onDone: (m: MerchantPrivate) => void }) {
  const [pts, setPts] = useState('')
  const [busy, setBusy] = useState(false)
  const rid = useRef(newRequestId('v'))
  const toStore = direction === 'toMerchant'
  const check = checkPoints(pts, {
    label: toStore ? '转入积分' : '转出积分',
    max: toStore && available !== undefined ? [{ value: available, reason: `可用积分不足：可用 ${formatPoints(available)}` }] : [],
  })
  const points = check.value
  const blocked = !pts.trim() ? '请输入积分数量' : check.error ? '请先修正积分数量' : ''
  const submit = async () => {
    if (!points || busy) return
    const c = await Taro.showModal({
      title: toStore ? '转入店铺' : '转出到我的积分',
      content: toStore ? `从您的可用积分转入 ${points} 积分到店铺积分账户。` : `从店铺积分账户转出 ${points} 积分到您的可用积分（需保留保证金）。`,
      confirmText: '确定',
      cancelText: '取消',
    })
    if (!c.confirm) return
    setBusy(true)
    try {
      const n = await call('merchant', 'movePoints', { direction, points, requestId: rid.current })
      rid.current = newRequestId('v')
      setPts('')
      onDone(n)
      Taro.showToast({ title: '已完成', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page move-points-page'>
      <View className='card'>
        <View className='row'><Text className='label'>店铺积分余额</Text><Text className={`value ${isNegative(m.pointsBalance) ? 'red' : ''}`}>{formatPoints(m.pointsBalance)}</Text></View>
        <View className='row'><Text className='label'>我的可用积分</Text><Text className='value'>{available !== undefined ? formatPoints(available) : '…'}</Text></View>
        <View className='row'><Text className='label'>保证金要求</Text><Text className='value'>价值 {formatYuan(m.depositValueFen)} 的积分</Text></View>
      </View>
      <View className='card'>
        <View className='field-label'>{toStore ? '转入店铺的积分' : '转出到我的积分'}</View>
        <NumberInput className='move-points' value={pts} placeholder='最多两位小数' onInput={setPts} error={check.error} />
        <View className='field-hint'>
          {toStore ? '例如在 C2C 市场买入积分后转入店铺，用作保证金或补足余额。' : '店铺只能转出超过保证金要求的部分。'}
        </View>
        {blocked && <View className='disabled-reason'>{blocked}</View>}
        <Button className='btn-block' type='primary' block disabled={!points} loading={busy} onClick={submit}>
          {toStore ? '转入店铺' : '转出'}
        </Button>
      </View>
    </View>
  )
}

function Deposit({ m, guidePriceFen, onDone }: { m: MerchantPrivate; guidePriceFen?: number; onDone: () => void }) {
  const needed = !isZero(m.depositPointsNeeded) && !isNegative(m.depositPointsNeeded) ? m.depositPointsNeeded : ''
  const [pts, setPts] = useState(needed)
  const [busy, setBusy] = useState(false)
  const { pay, sheet } = usePayment()
  const rid = useRef(newRequestId('d'))
  useEffect(() => setPts(needed), [needed])
  const check = checkPoints(pts, { label: '购买积分' })
  const points = check.value
  // the cash to pay, before paying: the treasury charges points × guide price, rounded up to the fen (a charge)
  const cashFen = points && guidePriceFen !== undefined ? depositCashFen(points, guidePriceFen) : null
  const blocked = !pts.trim() ? '请输入要购买的积分数量' : check.error ? '请先修正购买数量' : ''
  const submit = async () => {
    if (!points || busy) return
    setBusy(true)
    try {
      const r = await call('merchant', 'buyDeposit', { points, requestId: rid.current })
      rid.current = newRequestId('d')
      const ok = await pay(r.pay, `向平台购买 ${points} 积分`)
      if (ok) {
        // the payment notification credits the points; give it a moment, then show the new balance
        let mine = await call('merchant', 'mine', {})
        for (let i = 0; i < 6 && mine && mine.pointsBalance === m.pointsBalance; i++) {
          await new Promise((res) => setTimeout(res, 500))
          mine = await call('merchant', 'mine', {})
        }
        await Taro.showModal({
          title: '购买成功',
          content: mine ? `积分余额 ${formatPoints(mine.pointsBalance)}${mine.acceptingOrders ? '，店铺已可以接单。' : '。'}` : '积分已到账。',
          showCancel: false,
          confirmText: '好的',
        })
        onDone()
        Taro.navigateBack()
      }
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page deposit-page'>
      <View className='card'>
        <View className='row'><Text className='label'>当前积分余额</Text><Text className={`value ${isNegative(m.pointsBalance) ? 'red' : ''}`}>{formatPoints(m.pointsBalance)}</Text></View>
        <View className='row'><Text className='label'>保证金要求</Text><Text className='value'>价值 {formatYuan(m.depositValueFen)} 的积分</Text></View>
        <View className='row'><Text className='label'>还需积分</Text><Text className='value strong'>{needed ? formatPoints(needed) : '已满足'}</Text></View>
        {guidePriceFen !== undefined && <View className='row'><Text className='label'>今日指导价</Text><Text className='value'>{formatYuan(guidePriceFen)} / 积分</Text></View>}
      </View>
      <View className='card'>
        <View className='field-label'>购买积分数量</View>
        <NumberInput className='deposit-points' value={pts} placeholder='最多两位小数' onInput={setPts} error={check.error} />
        <View className='row deposit-total'><Text className='label'>应付金额</Text><Text className='value price deposit-cash'>{cashFen !== null ? formatYuan(cashFen) : '—'}</Text></View>
        <View className='field-hint'>按今日指导价向平台购买（{points ?? '—'} 积分 × {guidePriceFen !== undefined ? formatYuan(guidePriceFen) : '—'}），通过微信支付付款。平台只出售补足保证金所需的积分{needed ? `（本店最多 ${formatPoints(needed)}）` : ''}，更多积分请在交易市场购买；一次只能有一笔未支付的购买。</View>
        {blocked && <View className='disabled-reason'>{blocked}</View>}
        <Button className='btn-block deposit-submit' type='primary' block disabled={!points} loading={busy} onClick={submit}>{cashFen !== null ? `支付 ${formatYuan(cashFen)}` : '购买并支付'}</Button>
      </View>
      {sheet}
    </View>
  )
}
