import Taro from '@tarojs/taro'
import { View, Text, Input, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useEffect, useRef, useState } from 'react'
import PageShell from '../../components/PageShell'
import { call, errorMessage, newRequestId } from '../../services/cloud'
import { getSession } from '../../services/session'
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
  // a transfer is final: who the number belongs to is shown (nickname, avatar) before anything can be sent
  const [who, setWho] = useState<{ userNo: string; nickname: string; avatarUrl: string } | null>(null)
  const [whoErr, setWhoErr] = useState<string | null>(null)
  useEffect(() => {
    setWho(null)
    setWhoErr(null)
    const no = toCheck.value
    if (!no) return
    let cancelled = false
    const t = setTimeout(async () => {
      try {
        const r = await call('user', 'lookup', { userNo: no })
        // one's own number is refused by the server (SELF_TRANSFER): say so beside the field, before 转赠
        if (!cancelled) {
          if (r.userNo === getSession().me?.userNo) setWhoErr('这是您自己的用户号，不能转赠给自己')
          else setWho(r)
        }
      } catch (e) {
        if (!cancelled) setWhoErr(errorMessage(e))
      }
    }, 400)
    return () => {
      cancelled = true
      clearTimeout(t)
    }
  }, [toCheck.value])
  const blocked = !to.trim()
    ? '请输入对方用户号'
    : toCheck.error || ptsCheck.error
      ? '请先修正标红的项'
      : whoErr
        ? '请核对对方用户号'
        : !who
          ? '正在查找对方…'
          : !pts.trim()
            ? '请输入转赠积分'
            : ''
  const valid = !blocked && !!who && !!points

  const submit = async () => {
    if (!valid || busy || !who) return
    const ok = await Taro.showModal({
      title: '确认转赠',
      content: `收款人：${who.nickname}（用户号 ${who.userNo}）\n转赠 ${formatPoints(points)} 积分\n转赠立即到账，不能撤回。`,
      confirmText: '确认转赠',
      cancelText: '取消',
    })
    if (!ok.confirm) return
    setBusy(true)
    try {
      const r = await call('user', 'transfer', { toUserNo: to.trim(), points: points!, requestId: rid.current, memo: memo.trim() || undefined })
      setDone({ to: `${who.nickname}（${who.userNo}）`, points: points!, available: r.available })
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
          <View className='small'>已向 {done.to} 转赠 {formatPoints(done.points)} 积分，您的可用积分还有 {formatPoints(done.available)}。</View>
        </View>
      )}
      <View className='card'>
        <View className='field'>
          <View className='field-label'>对方用户号</View>
          <NumberInput className='to-input' integer placeholder='对方在“我的”页面看到的用户号' value={to} onInput={setTo} error={toCheck.error || whoErr} />
          {who && (
            <View className='flex recipient' style={{ gap: '8px', marginTop: '8px' }}>
              {who.avatarUrl ? <Image src={who.avatarUrl} mode='aspectFill' style={{ width: '32px', height: '32px', borderRadius: '50%' }} /> : <View className='thumb small'>{who.nickname.slice(0, 1)}</View>}
              <Text className='strong recipient-name'>{who.nickname}</Text>
              <Text className='muted'>用户号 {who.userNo}</Text>
            </View>
          )}
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
