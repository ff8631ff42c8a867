import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { showError, useQuery } from '../utils/hooks'
import { formatDateTime } from '../utils/format'
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

function show(v: unknown): string {
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

function parseLike(old: unknown, text: string): unknown {
  const t = text.trim()
  if (typeof old === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(t)) throw new Error('请输入数字')
    return Number(t)
  }
  if (typeof old === 'boolean') {
    if (t !== 'true' && t !== 'false') throw new Error('请输入 true 或 false')
    return t === 'true'
  }
  if (typeof old === 'string') return t
  try {
    return JSON.parse(t)
  } catch {
    throw new Error('格式不正确')
  }
}

function Params() {
  const q = useQuery(() => call('admin', 'params', {}), [])
  const audit = useQuery(() => call('admin', 'audit', {}), [])
  const [editing, setEditing] = useState<string | null>(null)
  const [text, setText] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const save = async (name: string, old: unknown) => {
    let value: unknown
    try {
      value = parseLike(old, text)
    } catch (e) {
      return Taro.showToast({ title: (e as Error).message, icon: 'none' })
    }
    setBusy(true)
    try {
      const r = await call('admin', 'setParam', { name, value, reason: reason.trim() || undefined })
      if (q.data) q.setData({ ...q.data, params: r.params })
      setEditing(null)
      Taro.showToast({ title: '已修改', icon: 'success' })
      audit.reload()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page admin-params-page'>
      <View className='pad muted small' style={{ paddingTop: px(16) }}>参数修改从下一次操作起生效，不追溯；每次修改都会记录审计。</View>
      <QueryView q={q}>
        {(d) => (
          <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
            {Object.keys(d.params).map((k) => (
              <View key={k} className='param' style={{ borderBottom: `${px(1)} solid #f0f0f0`, padding: `${px(16)} 0` }}>
                <View className='flex-between'>
                  <View className='grow'>
                    <View>{d.labels[k] || k}</View>
                    <View className='muted'>{k}</View>
                  </View>
                  <Text className='strong' style={{ maxWidth: '50%', wordBreak: 'break-all', textAlign: 'right' }}>{show(d.params[k])}</Text>
                  {editing !== k && <Text className='link-text ml' onClick={() => { setEditing(k); setText(show(d.params[k])); setReason('') }}>修改</Text>}
                </View>
                {editing === k && (
                  <View className='mt'>
                    <Input className='input' value={text} onInput={(e) => setText(e.detail.value)} />
                    <Input className='input mt' placeholder='修改原因（记录在审计中）' value={reason} onInput={(e) => setReason(e.detail.value)} />
                    <View className='btn-row'>
                      <Button size='small' onClick={() => setEditing(null)}>取消</Button>
                      <Button size='small' type='primary' loading={busy} onClick={() => save(k, d.params[k])}>保存</Button>
                    </View>
                  </View>
                )}
              </View>
            ))}
          </View>
        )}
      </QueryView>
      <View className='section-title'>审计记录</View>
      <QueryView q={audit} empty='暂无记录' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
            {d.items.map((a) => (
              <View key={a.id} style={{ borderBottom: `${px(1)} solid #f0f0f0`, padding: `${px(12)} 0` }}>
                <View className='flex-between'><Text className='strong'>{a.what}</Text><Text className='muted'>{formatDateTime(a.at)}</Text></View>
                <View className='muted small'>{show(a.old)} → {show(a.new)}{a.reason ? ` · ${a.reason}` : ''} · {a.by}</View>
              </View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}
