import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { showError, useQuery } from '../utils/hooks'
import { formatDateTime } from '../utils/format'
import NumberInput from '../components/NumberInput'
import { inputToParam, paramDisplay, paramToInput, UNIT_SUFFIX, type ParamUnit } from '../utils/params'
import AdminGate from '../components/AdminGate'
import { px } from '../utils/px'

export default function AdminParamsPage() {
  return (
    <PageShell>
      <AdminGate>
        <Params />
      </AdminGate>
    </PageShell>
  )
}

function Params() {
  const q = useQuery(() => call('admin', 'params', {}), [])
  const audit = useQuery(() => call('admin', 'audit', {}), [])
  const [editing, setEditing] = useState<string | null>(null)
  const [text, setText] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const unitOf = (k: string) => (q.data?.units[k] ?? 'count') as ParamUnit
  const check = editing ? inputToParam(unitOf(editing), text) : { value: null, error: null }
  const same = editing !== null && check.value !== null && q.data !== undefined && String(check.value) === String(q.data.params[editing])
  const blocked = !editing ? '' : check.error ? '请先修正新的值' : check.value === null ? '请输入新的值' : same ? '新值与当前值相同' : reason.trim().length < 2 ? '请写明修改原因（至少 2 个字）' : ''
  // every change shows old → new and the reason, and asks once more before it applies
  const save = async (name: string) => {
    if (!q.data || blocked || check.value === null) return
    const label = q.data.labels[name] || name
    const from = q.data.display[name] ?? String(q.data.params[name])
    const to = paramDisplay(unitOf(name), check.value)
    const c = await Taro.showModal({
      title: '确认修改参数',
      content: `${label}\n${from} → ${to}\n原因：${reason.trim()}\n修改从下一次操作起生效，并记入审计。`,
      confirmText: '确认修改',
      cancelText: '再想想',
    })
    if (!c.confirm) return
    setBusy(true)
    try {
      await call('admin', 'setParam', { name, value: check.value, reason: reason.trim() })
      setEditing(null)
      Taro.showToast({ title: '已修改', icon: 'success' })
      q.reload()
      audit.reload()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page admin-params-page'>
      <View className='pad muted small' style={{ paddingTop: px(16) }}>参数修改从下一次操作起生效，不追溯；每次修改都要写明原因、确认一次，并记入审计。</View>
      <QueryView q={q}>
        {(d) => (
          <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
            {Object.keys(d.params).map((k) => {
              const locked = d.locked.includes(k)
              const unit = unitOf(k)
              return (
                <View key={k} className={`param param-${k}`} style={{ borderBottom: `${px(1)} solid #f0f0f0`, padding: `${px(16)} 0` }}>
                  <View className='flex-between'>
                    <View className='grow'>
                      <View>{d.labels[k] || k}</View>
                      {locked && <View className='muted small'>上线时写入积分账本（固定总量），不能修改</View>}
                    </View>
                    <Text className='strong param-value' style={{ maxWidth: '50%', textAlign: 'right' }}>{d.display[k] ?? String(d.params[k])}</Text>
                    {!locked && editing !== k && (
                      <Text className='link-text ml param-edit' onClick={() => { setEditing(k); setText(paramToInput(unit, d.params[k])); setReason('') }}>修改</Text>
                    )}
                  </View>
                  {editing === k && (
                    <View className='mt'>
                      <View className='flex' style={{ gap: px(12), alignItems: 'center' }}>
                        <View className='grow'><NumberInput className='param-input' integer={['hourOfDay', 'days', 'minutes', 'hours', 'count'].includes(unit)} value={text} onInput={setText} error={check.error} /></View>
                        <Text>{UNIT_SUFFIX[unit]}</Text>
                      </View>
                      {check.value !== null && <View className='small mt param-preview'>{d.display[k]} → {paramDisplay(unit, check.value)}</View>}
                      <Input className='input mt param-reason' placeholder='修改原因（必填，记入审计）' value={reason} onInput={(e) => setReason(e.detail.value)} />
                      {blocked && <View className='disabled-reason'>{blocked}</View>}
                      <View className='btn-row'>
                        <Button size='small' onClick={() => setEditing(null)}>取消</Button>
                        <Button size='small' type='primary' className='param-save' disabled={!!blocked} loading={busy} onClick={() => save(k)}>保存</Button>
                      </View>
                    </View>
                  )}
                </View>
              )
            })}
          </View>
        )}
      </QueryView>
      <View className='section-title'>审计记录</View>
      <QueryView q={audit} empty='暂无记录' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
            {d.items.map((a) => (
              <View key={a.id} style={{ borderBottom: `${px(1)} solid #f0f0f0`, padding: `${px(12)} 0` }}>
                <View className='flex-between'><Text className='strong audit-what'>{a.whatText}</Text><Text className='muted'>{formatDateTime(a.at)}</Text></View>
                {a.change && <View className='small audit-change'>{a.change}</View>}
                <View className='muted small'>
                  {a.reason ? `原因：${a.reason} · ` : ''}操作人 {a.byName ? `${a.byName}（用户号 ${a.by}）` : a.by}
                </View>
              </View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}
