import Taro, { useRouter } from '@tarojs/taro'
import { View, Input, Textarea, Image, Switch, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useEffect, useRef, useState } from 'react'
import PageShell from '../components/PageShell'
import { Loading } from '../components/States'
import { call, newRequestId } from '../services/cloud'
import { chooseAndUploadImage } from '../services/upload'
import { showError, useQuery } from '../utils/hooks'
import { fenToYuanText, parseYuanToFen } from '../utils/format'
import { px } from '../utils/px'
import { ModeToggles } from '../components/Fulfilment'
import type { FulfilmentMode } from '../services/types'

export default function ProductEditPage() {
  const { params } = useRouter()
  return (
    <PageShell>
      <Edit id={params.id ? decodeURIComponent(params.id) : ''} />
    </PageShell>
  )
}

function Edit({ id }: { id: string }) {
  const q = useQuery(() => (id ? call('merchant', 'products', {}) : Promise.resolve({ items: [] })), [id], { refreshOnShow: false })
  const [title, setTitle] = useState('')
  const [price, setPrice] = useState('')
  const [stock, setStock] = useState('100')
  const [desc, setDesc] = useState('')
  const [images, setImages] = useState<string[]>([])
  const [onShelf, setOnShelf] = useState(true)
  const [modes, setModes] = useState<FulfilmentMode[]>([])
  const [busy, setBusy] = useState(false)
  const rid = useRef(newRequestId('p'))
  useEffect(() => {
    const p = q.data?.items.find((x) => x.id === id)
    if (p) {
      setTitle(p.title)
      setPrice(fenToYuanText(p.priceFen).replace(/,/g, ''))
      setStock(String(p.stock))
      setDesc(p.description)
      setImages(p.images)
      setOnShelf(p.onShelf)
      setModes(p.fulfilmentModes ?? [])
    }
  }, [q.data, id])
  if (id && q.loading && !q.data) return <Loading />
  const priceFen = parseYuanToFen(price)
  const stockN = /^\d{1,7}$/.test(stock.trim()) ? parseInt(stock.trim(), 10) : null
  const valid = title.trim() && priceFen && priceFen > 0 && stockN !== null
  const upload = async () => {
    try {
      const url = await chooseAndUploadImage('product')
      if (url) setImages([url])
    } catch (e) {
      showError(e)
    }
  }
  const save = async () => {
    if (!valid || busy) return
    setBusy(true)
    try {
      await call('merchant', 'saveProduct', {
        ...(id ? { id } : {}),
        title: title.trim(),
        priceFen: priceFen!,
        stock: stockN!,
        description: desc.trim(),
        images,
        onShelf,
        fulfilmentModes: modes,
        requestId: rid.current,
      })
      rid.current = newRequestId('p')
      Taro.showToast({ title: '已保存', icon: 'success' })
      setTimeout(() => Taro.navigateBack(), 600)
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page product-edit-page'>
      <View className='card'>
        <View className='field'><View className='field-label'>商品名称</View><Input className='input p-title' value={title} placeholder='如：拿铁咖啡' onInput={(e) => setTitle(e.detail.value)} /></View>
        <View className='field'>
          <View className='field-label'>价格（元）</View>
          <Input className='input p-price' type='digit' value={price} placeholder='如：28.00' onInput={(e) => setPrice(e.detail.value)} />
          {price && !priceFen && <View className='red small'>请输入正确的价格</View>}
        </View>
        <View className='field'><View className='field-label'>库存</View><Input className='input p-stock' type='number' value={stock} onInput={(e) => setStock(e.detail.value)} /></View>
        <View className='field'><View className='field-label'>描述</View><Textarea className='textarea p-desc' value={desc} placeholder='介绍一下这个商品' onInput={(e) => setDesc(e.detail.value)} /></View>
        <View className='field'>
          <View className='field-label'>图片（可选）</View>
          {images[0] && <Image src={images[0]} mode='aspectFill' style={{ width: px(200), height: px(200) }} />}
          <View className='btn-row'><Button size='small' onClick={upload}>{images[0] ? '更换图片' : '上传图片'}</Button></View>
        </View>
        <View className='field'>
          <View className='field-label'>收货方式（不选 = 按店铺设置）</View>
          <ModeToggles value={modes} onChange={setModes} />
        </View>
        <View className='field flex-between'>
          <Text>立即上架</Text>
          <Switch checked={onShelf} color='#07c160' onChange={(e) => setOnShelf(e.detail.value)} />
        </View>
        <Button className='btn-block save-product' type='primary' block disabled={!valid} loading={busy} onClick={save}>保存</Button>
      </View>
    </View>
  )
}
