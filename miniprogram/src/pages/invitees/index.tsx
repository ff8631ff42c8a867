import { View, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import { Empty, ErrorView, Loading } from '../../components/States'
import { call, errorMessage } from '../../services/cloud'
import type { Invitee } from '../../services/types'
import { useQuery } from '../../utils/hooks'
import { formatDateTime } from '../../utils/format'

export default function InviteesPage() {
  return (
    <PageShell>
      <Invitees />
    </PageShell>
  )
}

/** Issue 15: the users I referred (user.invitees), one level only: SPEC forbids multi-level referral. */
function Invitees() {
  const [more, setMore] = useState<{ items: Invitee[]; cursor: string | null; loading: boolean; error: string | null }>({ items: [], cursor: null, loading: false, error: null })
  const first = useQuery(async () => {
    const r = await call('user', 'invitees', {})
    setMore({ items: [], cursor: r.nextCursor, loading: false, error: null })
    return r
  }, [])
  const loadMore = async () => {
    if (!more.cursor || more.loading) return
    setMore((m) => ({ ...m, loading: true, error: null }))
    try {
      const r = await call('user', 'invitees', { cursor: more.cursor })
      setMore((m) => ({ items: [...m.items, ...r.items], cursor: r.nextCursor, loading: false, error: null }))
    } catch (e) {
      setMore((m) => ({ ...m, loading: false, error: errorMessage(e) }))
    }
  }
  if (first.data === undefined) return first.error ? <ErrorView message={first.error} onRetry={first.reload} /> : <Loading />
  const items = [...first.data.items, ...more.items]
  return (
    <View className='page invitees-page'>
      <View className='pad muted small'>通过你分享的商家、商品或你的店铺注册的用户。只显示你直接邀请的人，邀请不产生任何奖励。</View>
      {items.length === 0 ? (
        <Empty text='还没有人通过你的分享加入' />
      ) : (
        <View className='card invitees' style={{ padding: 0, overflow: 'hidden' }}>
          {items.map((u) => (
            <View key={u.userNo} className='list-item invitee'>
              {u.avatarUrl ? <Image className='thumb' src={u.avatarUrl} mode='aspectFill' /> : <View className='thumb'>{u.nickname.slice(0, 1)}</View>}
              <View className='grow'>
                <View className='strong ellipsis'>{u.nickname}</View>
                <View className='muted small'>用户号 {u.userNo} · {u.via === 'merchant' ? '通过你的店铺' : '通过你的分享'}</View>
              </View>
              <View className='muted small'>{formatDateTime(u.joinedAt)}</View>
            </View>
          ))}
        </View>
      )}
      {more.cursor && (
        <View className='center'>
          <Button size='small' loading={more.loading} onClick={loadMore}>加载更多</Button>
        </View>
      )}
      {more.error && <View className='center red small'>{more.error}</View>}
    </View>
  )
}
