import Taro from '@tarojs/taro'
import { View, Text, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { showError, useQuery } from '../utils/hooks'
import { formatYuan } from '../utils/format'
import { px } from '../utils/px'

export default function ProductsPage() {
  return (
    <PageShell>
      <Products />
    </PageShell>
  )
}

function Products() {
  const q = useQuery(() => call('merchant', 'products', {}), [])
  const toggle = async (id: string, onShelf: boolean) => {
    try {
      const p = await call('merchant', 'setOnShelf', { productId: id, onShelf })
      if (q.data) q.setData({ items: q.data.items.map((x) => (x.id === p.id ? p : x)) })
      Taro.showToast({ title: onShelf ? '已上架' : '已下架', icon: 'success' })
    } catch (e) {
      showError(e)
    }
  }
  const remove = async (id: string, title: string) => {
    const r = await Taro.showModal({ title: '删除商品', content: `删除「${title}」？已有订单不受影响，商品将不再展示。`, confirmText: '删除', cancelText: '取消' })
    if (!r.confirm) return
    try {
      await call('merchant', 'deleteProduct', { productId: id })
      if (q.data) q.setData({ items: q.data.items.filter((x) => x.id !== id) })
      Taro.showToast({ title: '已删除', icon: 'success' })
    } catch (e) {
      showError(e)
    }
  }
  return (
    <View className='page mc-products-page'>
      <View className='pad' style={{ paddingTop: px(20) }}>
        <Button className='add-product' type='primary' block onClick={() => Taro.navigateTo({ url: '/merchant-center/product-edit' })}>＋ 新增商品</Button>
      </View>
      <QueryView q={q} empty='还没有商品，点上方按钮添加' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View className='card' style={{ padding: 0, overflow: 'hidden' }}>
            {d.items.map((p) => (
              <View key={p.id} className='list-item mc-product'>
                {p.images[0] ? <Image className='thumb small' src={p.images[0]} mode='aspectFill' /> : <View className='thumb small'>{p.title.slice(0, 1)}</View>}
                <View className='grow' onClick={() => Taro.navigateTo({ url: `/merchant-center/product-edit?id=${encodeURIComponent(p.id)}` })}>
                  <View className='strong ellipsis'>{p.title}</View>
                  <View className='muted'>{formatYuan(p.priceFen)} · 库存 {p.stock}</View>
                  <Text className={`tag ${p.onShelf ? 'success' : ''}`}>{p.onShelf ? '在售' : '已下架'}</Text>
                </View>
                <View style={{ display: 'flex', flexDirection: 'column', gap: px(8) }}>
                  <Button size='small' onClick={() => toggle(p.id, !p.onShelf)}>{p.onShelf ? '下架' : '上架'}</Button>
                  <Button size='small' className='delete-product' onClick={() => remove(p.id, p.title)}>删除</Button>
                </View>
              </View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}
