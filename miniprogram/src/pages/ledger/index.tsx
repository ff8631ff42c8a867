import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import { QueryView } from '../../components/States'
import { call, errorMessage } from '../../services/cloud'
import type { LedgerItem } from '../../services/types'
import { useQuery } from '../../utils/hooks'
import { formatDateTime, formatPoints, isNegative } from '../../utils/format'
import { LEDGER_KIND } from '../../utils/labels'
import { px } from '../../utils/px'

export default function LedgerPage() {
  return (
    <PageShell>
      <Ledger />
    </PageShell>
  )
}

const ACCOUNT: Record<string, string> = { available: '可用积分', escrow: '挂单冻结', merchant: '店铺积分' }

function Ledger() {
  const [extra, setExtra] = useState<{ items: LedgerItem[]; cursor: string | null; loading: boolean; err: string | null }>({ items: [], cursor: null, loading: false, err: null })
  const q = useQuery(async () => {
    // reading the assets credits any released points not yet settled, so they show up below
    await call('user', 'assets', {}).catch(() => undefined)
    const r = await call('user', 'ledger', { limit: 30 })
    setExtra({ items: [], cursor: r.nextCursor, loading: false, err: null })
    return r
  }, [])
  const more = async () => {
    setExtra((x) => ({ ...x, loading: true }))
    try {
      const r = await call('user', 'ledger', { cursor: extra.cursor, limit: 30 })
      setExtra((x) => ({ items: [...x.items, ...r.items], cursor: r.nextCursor, loading: false, err: null }))
    } catch (e) {
      setExtra((x) => ({ ...x, loading: false, err: errorMessage(e) }))
    }
  }
  return (
    <View className='page ledger-page'>
      <QueryView q={q} empty='还没有积分变动' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View className='card' style={{ padding: `0 ${px(28)}` }}>
            {[...d.items, ...extra.items].map((it) => (
              <View key={it.id} className='row ledger-item'>
                <View className='grow'>
                  <View>{it.memo || LEDGER_KIND[it.kind] || it.kind}</View>
                  <View className='muted'>{formatDateTime(it.at)} · {ACCOUNT[it.account] || it.account}</View>
                </View>
                <Text className={`strong ${isNegative(it.amount) ? '' : 'green'}`}>{formatPoints(it.amount, { sign: true })}</Text>
              </View>
            ))}
            {extra.cursor && <View className='center' style={{ padding: `${px(16)} 0` }}><Button size='small' loading={extra.loading} onClick={more}>加载更多</Button></View>}
            {extra.err && <View className='center red small'>{extra.err}</View>}
          </View>
        )}
      </QueryView>
    </View>
  )
}
