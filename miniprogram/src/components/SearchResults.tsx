import Taro from '@tarojs/taro'
import { View } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import MerchantCard from './MerchantCard'
import ProductHitCard from './ProductHitCard'
import { Empty, ErrorView, Loading } from './States'
import { call, errorMessage } from '../services/cloud'
import type { ProductHit } from '../services/types'
import { useQuery } from '../utils/hooks'

/** Issue 15: what merchant.search finds for `keyword`: matching stores, then products (paged). */
export default function SearchResults({ keyword }: { keyword: string }) {
  const [more, setMore] = useState<{ items: ProductHit[]; cursor: string | null; loading: boolean; error: string | null }>({ items: [], cursor: null, loading: false, error: null })
  const first = useQuery(async () => {
    const r = await call('merchant', 'search', { keyword })
    setMore({ items: [], cursor: r.nextCursor, loading: false, error: null })
    return r
  }, [keyword])

  const loadMore = async () => {
    if (!more.cursor || more.loading) return
    setMore((m) => ({ ...m, loading: true, error: null }))
    try {
      const r = await call('merchant', 'search', { keyword, cursor: more.cursor })
      setMore((m) => ({ items: [...m.items, ...r.products], cursor: r.nextCursor, loading: false, error: null }))
    } catch (e) {
      setMore((m) => ({ ...m, loading: false, error: errorMessage(e) }))
    }
  }

  if (first.data === undefined) return first.error ? <ErrorView message={first.error} onRetry={first.reload} home={false} /> : <Loading />
  const stores = first.data.stores
  const products = [...first.data.products, ...more.items]
  if (!stores.length && !products.length && !more.cursor) return <Empty text='没有找到符合条件的商家或商品' />
  return (
    <View className='search-results'>
      {stores.length > 0 && (
        <>
          <View className='section-title'>商家</View>
          <View className='card' style={{ padding: 0, overflow: 'hidden' }}>
            {stores.map((m) => (
              <MerchantCard key={m.id} m={m} onClick={() => Taro.navigateTo({ url: `/pages/merchant/index?id=${encodeURIComponent(m.id)}` })} />
            ))}
          </View>
        </>
      )}
      {products.length > 0 && (
        <>
          <View className='section-title'>商品</View>
          <View className='card' style={{ padding: 0, overflow: 'hidden' }}>
            {products.map((p) => <ProductHitCard key={p.id} p={p} />)}
          </View>
        </>
      )}
      {more.cursor && (
        <View className='center'>
          <Button size='small' loading={more.loading} onClick={loadMore}>更多商品</Button>
        </View>
      )}
      {more.error && <View className='center red small'>{more.error}</View>}
    </View>
  )
}
