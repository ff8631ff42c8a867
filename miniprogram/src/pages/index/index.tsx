import Taro from '@tarojs/taro'
import { View, Text, Input, Swiper, SwiperItem, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { Search } from '@nutui/icons-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import MerchantCard from '../../components/MerchantCard'
import SearchResults from '../../components/SearchResults'
import ProductHitCard from '../../components/ProductHitCard'
import { Empty, ErrorView, Loading } from '../../components/States'
import { call, errorMessage } from '../../services/cloud'
import type { MerchantSummary } from '../../services/types'
import { toast, useQuery } from '../../utils/hooks'
import { formatYuan } from '../../utils/format'
import { px } from '../../utils/px'

export default function Index() {
  return (
    <PageShell>
      <Home />
    </PageShell>
  )
}

function Home() {
  const [keyword, setKeyword] = useState('')
  const [search, setSearch] = useState('')
  const [category, setCategory] = useState('')
  const [more, setMore] = useState<{ items: MerchantSummary[]; cursor: string | null; loading: boolean; error: string | null }>({ items: [], cursor: null, loading: false, error: null })

  const cats = useQuery(() => call('merchant', 'categories', {}), [])
  const assets = useQuery(() => call('user', 'assets', {}), [])
  // banners (set by the admin) and the products that sell most, of the chosen category's stores (issue 15)
  const feed = useQuery(() => call('merchant', 'home', { category: category || undefined }), [category])
  // the store list by category; a search shows SearchResults (stores and products) instead
  const list = useQuery(async () => {
    const r = await call('merchant', 'list', { category: category || undefined })
    setMore({ items: [], cursor: r.nextCursor, loading: false, error: null })
    return r
  }, [category])

  const loadMore = async () => {
    if (!more.cursor || more.loading) return
    setMore((m) => ({ ...m, loading: true, error: null }))
    try {
      const r = await call('merchant', 'list', { category: category || undefined, cursor: more.cursor })
      setMore((m) => ({ items: [...m.items, ...r.items], cursor: r.nextCursor, loading: false, error: null }))
    } catch (e) {
      setMore((m) => ({ ...m, loading: false, error: errorMessage(e) }))
    }
  }

  const items = [...(list.data?.items || []), ...more.items]
  const open = (id: string) => Taro.navigateTo({ url: `/pages/merchant/index?id=${encodeURIComponent(id)}` })

  return (
    <View className='page home'>
      <View className='pad' style={{ paddingTop: px(20) }}>
        <View className='flex' style={{ background: '#fff', borderRadius: px(36), padding: `0 ${px(12)} 0 ${px(28)}` }}>
          <Search size={16} color='#8c8c8c' />
          <Input
            className='grow search-input'
            style={{ height: px(72), padding: `0 ${px(16)}`, fontSize: px(28) }}
            placeholder='搜索商家或商品'
            value={keyword}
            confirmType='search'
            onInput={(e) => setKeyword(e.detail.value)}
            onConfirm={() => setSearch(keyword.trim())}
          />
          <Button size='small' type='primary' onClick={() => (keyword.trim() ? setSearch(keyword.trim()) : toast('请输入要搜索的商家或商品'))}>搜索</Button>
        </View>
      </View>
      {assets.data && (
        <View className='card flex-between' style={{ background: 'linear-gradient(135deg,#07c160,#06ad56)', color: '#fff' }} onClick={() => Taro.switchTab({ url: '/pages/assets/index' })}>
          <View>
            <View style={{ fontSize: px(24), opacity: 0.85 }}>今日指导价</View>
            <View className='mid-number'>{formatYuan(assets.data.guidePriceFen)}<Text style={{ fontSize: px(24) }}> /积分</Text></View>
          </View>
          <View style={{ textAlign: 'right' }}>
            <View style={{ fontSize: px(24), opacity: 0.85 }}>可用积分</View>
            <View className='mid-number'>{assets.data.available}</View>
          </View>
        </View>
      )}
      {!search && !!feed.data?.banners.length && (
        <Swiper className='home-banners' style={{ height: px(280), margin: `${px(16)} ${px(24)}`, borderRadius: px(16), overflow: 'hidden' }} autoplay circular indicatorDots>
          {feed.data.banners.map((b, i) => (
            <SwiperItem key={i} onClick={() => open(b.merchantId)}>
              <Image className='banner-img' src={b.image} mode='aspectFill' style={{ width: '100%', height: '100%' }} />
              <View style={{ position: 'absolute', left: px(24), bottom: px(20), color: '#fff', fontSize: px(30), fontWeight: 'bold', textShadow: '0 1px 4px rgba(0,0,0,.5)' }}>{b.title}</View>
            </SwiperItem>
          ))}
        </Swiper>
      )}
      <View className='chip-bar'>
        <View className={`chip ${category === '' ? 'active' : ''}`} onClick={() => setCategory('')}>全部</View>
        {(cats.data?.items || []).map((c) => (
          <View key={c} className={`chip ${category === c ? 'active' : ''}`} onClick={() => setCategory(c)}>{c}</View>
        ))}
      </View>
      {search && (
        <View className='pad muted'>
          “{search}”的搜索结果 <Text className='link-text' onClick={() => { setKeyword(''); setSearch('') }}>清除</Text>
        </View>
      )}
      {!search && !!feed.data?.hot.length && (
        <>
          <View className='section-title'>热销商品{category ? <Text className='muted small hot-category'> · {category}</Text> : null}</View>
          <View className='card home-hot' style={{ padding: 0, overflow: 'hidden' }}>
            {feed.data.hot.map((p) => <ProductHitCard key={p.id} p={p} />)}
          </View>
          <View className='section-title'>商家</View>
        </>
      )}
      {search ? (
        <SearchResults keyword={search} />
      ) : list.data === undefined ? (
        list.error ? <ErrorView message={list.error} onRetry={list.reload} home={false} /> : <Loading />
      ) : items.length === 0 ? (
        <Empty text={category ? '没有找到符合条件的商家' : '还没有入驻的商家'} />
      ) : (
        <View className='card' style={{ padding: 0, overflow: 'hidden' }}>
          {items.map((m) => (
            <MerchantCard key={m.id} m={m} onClick={() => open(m.id)} />
          ))}
        </View>
      )}
      {!search && more.cursor && (
        <View className='center'>
          <Button size='small' loading={more.loading} onClick={loadMore}>加载更多</Button>
        </View>
      )}
      {!search && more.error && <View className='center red small'>{more.error}</View>}
    </View>
  )
}
