import Taro from '@tarojs/taro'
import { View, Text, Input, ScrollView } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useEffect, useState, type ReactNode } from 'react'
import { call, errorMessage, localGet } from '../services/cloud'
import { chooseDevIdentity, ensureSession, setMe, useSession } from '../services/session'
import { syncServerClock } from '../services/clock'
import { refreshUnread } from '../services/unread'
import { useDidShow } from '@tarojs/taro'
import { ErrorView, Loading } from './States'

/**
 * Every page renders inside this: it logs in (once), asks for a developer identity on h5, shows the
 * risk notice until it is accepted, and only then renders the page itself.
 */
export default function PageShell({ children }: { children: ReactNode }) {
  const s = useSession()
  useEffect(() => {
    ensureSession()
    syncServerClock()
  }, [])
  // the developer login exists only on h5 (local runtime); on weapp the identity is WeChat's
  if (process.env.TARO_ENV === 'h5' && s.status === 'needIdentity') return <DevLogin />
  if (s.status === 'error') return <ErrorView message={s.error || '登录失败'} onRetry={() => ensureSession()} home={false} />
  if (s.status !== 'ready' || !s.me) return <Loading text='正在登录…' />
  return (
    <>
      <UnreadSync />
      {children}
      {!s.me.riskAccepted && <RiskNotice />}
    </>
  )
}

/** Keeps the unread badge current as pages show (throttled in services/unread). */
function UnreadSync() {
  useEffect(() => {
    refreshUnread()
  }, [])
  useDidShow(() => {
    refreshUnread()
  })
  return null
}

export function RiskNotice() {
  const [busy, setBusy] = useState(false)
  const [err, setErr] = useState<string | null>(null)
  const accept = async () => {
    setBusy(true)
    setErr(null)
    try {
      const me = await call('user', 'acceptRisk', {})
      setMe(me)
    } catch (e) {
      setErr(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='mask risk-notice' catchMove>
      <View className='dialog'>
        <View className='dialog-title'>风险提示</View>
        <View className='small' style={{ lineHeight: 1.8, color: '#4f4f4f' }}>
          <View>欢迎使用共享购。开始之前，请您了解：</View>
          <View className='mt'>1. <Text className='strong'>共享积分没有保证的现金价值</Text>，平台不承诺兑付，也不保证任何时候都能卖出。</View>
          <View>2. <Text className='strong'>积分价格可能下跌</Text>。指导价随市场成交调整，您可能因此受到损失。</View>
          <View>3. 共享值是消费凭证，不能转让、不能提现，只会按每日释放规则转换为积分。</View>
          <View>4. C2C 市场的货款由买卖双方直接支付，平台不经手；请在确认收到款项后再放行积分。</View>
          <View className='link-text risk-explain' onClick={() => Taro.navigateTo({ url: '/pages/explain/index' })}>
            了解一笔消费的共享值如何逐日转换为积分（模拟说明） ›
          </View>
        </View>
        {err && <View className='red small mt'>{err}</View>}
        <Button className='btn-block' type='primary' block loading={busy} onClick={accept}>
          我已了解风险，同意并继续
        </Button>
      </View>
    </View>
  )
}

interface DemoUser { openid: string; nickname: string; role: string; note: string }

/** h5 only: pick who you are in the local runtime. Never part of the WeChat build's behaviour. */
export function DevLogin() {
  const [users, setUsers] = useState<DemoUser[] | null>(null)
  const [err, setErr] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    localGet<DemoUser[] | { ok: boolean; data?: DemoUser[] }>('/__local/demo-users')
      .then((r) => setUsers(Array.isArray(r) ? r : r.data || []))
      .catch((e) => setErr(errorMessage(e)))
  }, [])
  const pick = async (openid: string, nickname?: string) => {
    setBusy(true)
    await chooseDevIdentity(openid, nickname)
    setBusy(false)
  }
  const newUser = () => {
    const nick = name.trim() || `新用户${Math.floor(Math.random() * 9000 + 1000)}`
    const openid = `dev_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
    pick(openid, nick)
  }
  return (
    <View className='page dev-login'>
      <View className='notice-bar'>开发者登录 · 仅本地运行环境（npm start）可用，微信小程序中不存在此页面</View>
      <View className='card'>
        <View className='card-title'>
          <Text>选择身份进入</Text>
          <Text className='tag local'>仅本地</Text>
        </View>
        <View className='muted'>在真实的微信里，身份来自微信登录；本地运行时请选择一个演示用户，或以新用户身份进入。</View>
      </View>
      <View className='section-title'>演示用户</View>
      {err && <ErrorView message={err} home={false} />}
      {!users && !err && <Loading />}
      {users && (
        <ScrollView scrollY style={{ maxHeight: '60vh' }}>
          <View className='card' style={{ padding: 0 }}>
            {users.map((u) => (
              <View key={u.openid} className='list-item demo-user' onClick={() => !busy && pick(u.openid)}>
                <View className='thumb small'>{(u.nickname || '?').slice(0, 1)}</View>
                <View className='grow'>
                  <View className='strong'>{u.nickname}</View>
                  <View className='muted'>{roleText(u.role)}{u.note ? ` · ${u.note}` : ''}</View>
                </View>
                <Text className='link-text'>进入 ›</Text>
              </View>
            ))}
            {users.length === 0 && <View className='state'>没有演示用户（可运行 npm start 自动生成）</View>}
          </View>
        </ScrollView>
      )}
      <View className='section-title'>新用户</View>
      <View className='card'>
        <Input className='input' placeholder='昵称（可不填）' value={name} onInput={(e) => setName(e.detail.value)} />
        <Button className='btn-block' type='primary' block loading={busy} onClick={newUser}>
          以新用户身份进入
        </Button>
      </View>
    </View>
  )
}

function roleText(role: string) {
  if (role === 'admin') return '平台管理员'
  if (role === 'merchant') return '商家'
  if (role === 'user') return '用户'
  return role
}
