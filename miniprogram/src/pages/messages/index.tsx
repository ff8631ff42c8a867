import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import { QueryView } from '../../components/States'
import { call, errorMessage } from '../../services/cloud'
import type { Message, MessageKind } from '../../services/types'
import { setUnread, useUnread } from '../../services/unread'
import { showError, useQuery } from '../../utils/hooks'
import { formatShortTime } from '../../utils/format'
import { px } from '../../utils/px'

const TABS: { key: MessageKind | ''; text: string }[] = [
  { key: '', text: '全部' },
  { key: 'order', text: '订单' },
  { key: 'trade', text: '交易' },
  { key: 'release', text: '释放' },
  { key: 'appeal', text: '申诉' },
  { key: 'approval', text: '审核' },
]

const TAB_PAGES = ['/pages/index/index', '/pages/market/index', '/pages/assets/index', '/pages/me/index']

export default function MessagesPage() {
  return (
    <PageShell>
      <Messages />
    </PageShell>
  )
}

/** The message centre: what happened to my orders, trades, releases, appeals and store application. */
function Messages() {
  const [tab, setTab] = useState<MessageKind | ''>('')
  const unread = useUnread()
  const [more, setMore] = useState<{ items: Message[]; cursor: string | null; loading: boolean }>({ items: [], cursor: null, loading: false })
  const q = useQuery(async () => {
    const r = await call('user', 'messages', { kind: tab || undefined })
    setMore({ items: [], cursor: r.nextCursor, loading: false })
    return r
  }, [tab])
  const loadMore = async () => {
    if (!more.cursor) return
    setMore((x) => ({ ...x, loading: true }))
    try {
      const r = await call('user', 'messages', { kind: tab || undefined, cursor: more.cursor })
      setMore((x) => ({ items: [...x.items, ...r.items], cursor: r.nextCursor, loading: false }))
    } catch (e) {
      setMore((x) => ({ ...x, loading: false }))
      Taro.showToast({ title: errorMessage(e), icon: 'none' })
    }
  }
  const markLocal = (ids: string[] | 'all') => {
    const upd = (list: Message[]) => list.map((m) => (ids === 'all' || ids.includes(m.id) ? { ...m, read: true } : m))
    if (q.data) q.setData({ ...q.data, items: upd(q.data.items) })
    setMore((x) => ({ ...x, items: upd(x.items) }))
  }
  const open = async (m: Message) => {
    if (!m.read) {
      markLocal([m.id])
      call('user', 'readMessages', { ids: [m.id] }).then(setUnread, () => undefined)
    }
    const path = m.link.split('?')[0]
    if (TAB_PAGES.includes(path)) Taro.switchTab({ url: path })
    else if (m.link) Taro.navigateTo({ url: m.link })
  }
  const readAll = async () => {
    try {
      setUnread(await call('user', 'readMessages', { all: true, kind: tab || undefined }))
      markLocal('all')
    } catch (e) {
      showError(e)
    }
  }
  const countOf = (k: MessageKind | '') => (!unread ? 0 : k === '' ? unread.total : unread.byKind[k])
  return (
    <View className='page messages-page'>
      <View className='chip-bar' style={{ background: '#fff' }}>
        {TABS.map((t) => (
          <View key={t.key} className={`chip msg-tab-${t.key || 'all'} ${tab === t.key ? 'active' : ''}`} onClick={() => setTab(t.key)}>
            {t.text}
            {countOf(t.key) > 0 ? ` ${countOf(t.key)}` : ''}
          </View>
        ))}
      </View>
      {countOf(tab) > 0 && (
        <View className='pad flex-between' style={{ marginTop: px(12) }}>
          <Text className='muted'>{countOf(tab)} 条未读</Text>
          <Button size='small' className='read-all' onClick={readAll}>全部已读</Button>
        </View>
      )}
      <QueryView q={q} empty='还没有消息' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View>
            {[...d.items, ...more.items].map((m) => (
              <View key={m.id} className={`card message ${m.read ? 'read' : 'unread'}`} onClick={() => open(m)}>
                <View className='flex-between'>
                  <Text className='strong message-title'>
                    {!m.read && <Text className='unread-dot' style={{ display: 'inline-block', width: px(14), height: px(14), borderRadius: px(7), background: '#fa5151', marginRight: px(10), verticalAlign: 'middle' }} />}
                    {m.title}
                  </Text>
                  <Text className='muted'>{formatShortTime(m.at)}</Text>
                </View>
                <View className='small message-body' style={{ color: m.read ? '#8c8c8c' : '#4f4f4f', marginTop: px(8) }}>{m.body}</View>
              </View>
            ))}
            {more.cursor && (
              <View className='pad'>
                <Button block loading={more.loading} onClick={loadMore}>加载更多</Button>
              </View>
            )}
          </View>
        )}
      </QueryView>
    </View>
  )
}
