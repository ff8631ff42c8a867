import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useRef, useState } from 'react'
import PageShell from '../../components/PageShell'
import { call, newRequestId } from '../../services/cloud'
import { showError, useQuery } from '../../utils/hooks'
import { formatPoints } from '../../utils/format'
import { checkPoints, checkUserNo } from '../../utils/input'
import NumberInput from '../../components/NumberInput'

export default function TransferPage() {
  return (
    <PageShell>
      <Transfer />
    </PageShell>
  )
}

function Transfer() {
  const a = useQuery(() => call('user', 'assets', {}), [])
  const [to, setTo] = useState('')
  const [pts, setPts] = useState('')
  const [memo, setMemo] = useState('')
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<{ to: string; points: string; available: string } | null>(null)
  const rid = useRef(newRequestId('t'))
  const toCheck = checkUserNo(to)
  const ptsCheck = checkPoints(pts, {
    label: '转赠积分',
    max: a.data ? [{ value: a.data.available, reason: `可用积分不足：可用 ${formatPoints(a.data.available)}` }] : [],
  })
  const points = ptsCheck.value
  const blocked = !to.trim() ? '请输入对方用户号' : !pts.trim() ? '请输入转赠积分' : toCheck.error || ptsCheck.error ? '请先修正标红的项' : ''
  const valid = !blocked && !!toCheck.value && !!points

  const submit = async () => {
    if (!valid || busy) return
    const ok = await Taro.showModal({
      title: '确认转赠',
      content: `向用户号 ${to.trim()} 转赠 ${points} 积分。转赠立即到账，不能撤回。`,
      confirmText: '确认转赠',
      cancelText: '取消',
    })
    if (!ok.confirm) return
    setBusy(true)
    try {
      const r = await call('user', 'transfer', { toUserNo: to.trim(), points: points!, requestId: rid.current, memo: memo.trim() || undefined })
      setDone({ to: to.trim(), points: points!, available: r.available })
      rid.current = newRequestId('t')
      setPts('')
      a.reload()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page transfer-page'>
      {done && (
        <View className='card transfer-done' style={{ background: '#e6f7ee' }}>
          <View className='strong green'>转赠成功</View>
          <View className='small'>已向用户号 {done.to} 转赠 {formatPoints(done.points)} 积分，您的可用积分还有 {formatPoints(done.available)}。</View>
        </View>
      )}
      <View className='card'>
        <View className='field'>
          <View className='field-label'>对方用户号</View>
          <NumberInput className='to-input' integer placeholder='对方在“我的”页面看到的用户号' value={to} onInput={setTo} error={toCheck.error} />
        </View>
        <View className='field'>
          <View className='field-label'>转赠积分</View>
          <NumberInput className='points-input' placeholder='最多两位小数' value={pts} onInput={setPts} error={ptsCheck.error} />
          <View className='field-hint'>可用积分 {a.data ? formatPoints(a.data.available) : '…'}</View>
        </View>
        <View className='field'>
          <View className='field-label'>留言（可选）</View>
          <Input className='input' placeholder='例如：还你的饭钱' value={memo} maxlength={40} onInput={(e) => setMemo(e.detail.value)} />
        </View>
        {blocked && <View className='disabled-reason'>{blocked}</View>}
        <Button className='btn-block' type='primary' block disabled={!valid} loading={busy} onClick={submit}>转赠</Button>
        <View className='muted small mt'>转赠即时到账且不可撤回，请核对用户号。<Text className='strong'>平台不会以任何理由要求您转赠积分。</Text></View>
      </View>
    </View>
  )
}
