import Taro, { useRouter } from '@tarojs/taro'
import { View, Input, Textarea, Image, Switch, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useRef, useState } from 'react'
import PageShell from '../components/PageShell'
import { Empty, QueryView } from '../components/States'
import { call, newRequestId } from '../services/cloud'
import { pickImage } from '../utils/upload'
import { showError, useQuery } from '../utils/hooks'
import { fenToYuanText } from '../utils/format'
import { checkInt, checkYuan } from '../utils/input'
import NumberInput from '../components/NumberInput'
import { px } from '../utils/px'
import { ModeToggles } from '../components/Fulfilment'
import type { FulfilmentMode, Product, ProductSpec } from '../services/types'

export default function ProductEditPage() {
  const { params } = useRouter()
  return (
    <PageShell>
      <Edit id={params.id ? decodeURIComponent(params.id) : ''} />
    </PageShell>
  )
}

function Edit({ id }: { id: string }) {
  const q = useQuery(() => (id ? call('merchant', 'products', {}) : Promise.resolve({ items: [] as Product[] })), [id], { refreshOnShow: false })
  if (!id) return <ProductForm id='' p={null} />
  return (
    <QueryView q={q}>
      {(d) => {
        const p = d.items.find((x) => x.id === id)
        return p ? <ProductForm id={id} p={p} /> : <Empty text='没有找到这个商品，可能已被删除' />
      }}
    </QueryView>
  )
}

/**
 * The form starts from the saved product (state seeded at mount, not set by an effect after it): a Taro h5
 * Input/Textarea whose value changes before its first render throws in its watchValue.
 */
function ProductForm({ id, p }: { id: string; p: Product | null }) {
  const [title, setTitle] = useState(p?.title ?? '')
  const [price, setPrice] = useState(p ? fenToYuanText(p.priceFen).replace(/,/g, '') : '')
  const [stock, setStock] = useState(p ? String(p.stock) : '100')
  const [desc, setDesc] = useState(p?.description ?? '')
  const [images, setImages] = useState<string[]>(p?.images ?? [])
  const [onShelf, setOnShelf] = useState(p?.onShelf ?? true)
  const [modes, setModes] = useState<FulfilmentMode[]>(p?.fulfilmentModes ?? [])
  const [specs, setSpecs] = useState<ProductSpec[]>(p?.specs ?? [])
  const [busy, setBusy] = useState(false)
  const rid = useRef(newRequestId('p'))
  const priceCheck = checkYuan(price, { label: '价格' })
  const stockCheck = checkInt(stock, { label: '库存', min: 0 })
  const priceFen = priceCheck.value
  const stockN = stockCheck.value
  const blocked = !title.trim() ? '请填写商品名称' : !price.trim() ? '请填写价格' : priceCheck.error || stockCheck.error ? '请先修正标红的项' : ''
  const valid = !blocked && priceFen !== null && stockN !== null
  const upload = async () => {
    const url = await pickImage('product')
    if (url) setImages((xs) => [...xs, url].slice(0, 9))
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
        specs: specs.filter((s) => s.name.trim() && s.value.trim()).map((s) => ({ name: s.name.trim(), value: s.value.trim() })),
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
          <NumberInput className='p-price' value={price} placeholder='如：28.00' onInput={setPrice} error={priceCheck.error} />
        </View>
        <View className='field'><View className='field-label'>库存</View><NumberInput className='p-stock' integer value={stock} onInput={setStock} error={stockCheck.error} /></View>
        <View className='field'><View className='field-label'>描述</View><Textarea className='textarea p-desc' value={desc} placeholder='介绍一下这个商品' onInput={(e) => setDesc(e.detail.value)} /></View>
        <View className='field'>
          <View className='field-label'>图片（最多 9 张，第一张为封面）</View>
          <View className='flex-wrap' style={{ gap: px(12) }}>
            {images.map((src, i) => (
              <View key={src + i} style={{ position: 'relative' }}>
                <Image src={src} mode='aspectFill' className='p-image' style={{ width: px(150), height: px(150), borderRadius: px(8) }} />
                <View className='p-image-remove' style={{ position: 'absolute', right: 0, top: 0, background: 'rgba(0,0,0,0.5)', color: '#fff', width: px(40), height: px(40), lineHeight: px(40), textAlign: 'center', borderRadius: `0 ${px(8)} 0 ${px(8)}` }} onClick={() => setImages(images.filter((_x, j) => j !== i))}>×</View>
              </View>
            ))}
          </View>
          {images.length < 9 && <View className='btn-row'><Button size='small' className='p-upload' onClick={upload}>上传图片（{images.length}/9）</Button></View>}
        </View>
        <View className='field'>
          <View className='field-label'>规格（选填，如 份量：大碗）</View>
          {specs.map((s, i) => (
            <View key={i} className='flex' style={{ gap: px(12), marginBottom: px(12) }}>
              <Input className='input spec-name' style={{ width: px(180) }} maxlength={10} placeholder='名称' value={s.name} onInput={(e) => setSpecs(specs.map((x, j) => (j === i ? { ...x, name: e.detail.value } : x)))} />
              <Input className='input grow spec-value' maxlength={30} placeholder='内容' value={s.value} onInput={(e) => setSpecs(specs.map((x, j) => (j === i ? { ...x, value: e.detail.value } : x)))} />
              <Text className='link-text' onClick={() => setSpecs(specs.filter((_x, j) => j !== i))}>删除</Text>
            </View>
          ))}
          {specs.length < 10 && <Button size='small' className='spec-add' onClick={() => setSpecs([...specs, { name: '', value: '' }])}>＋ 添加规格</Button>}
        </View>
        <View className='field'>
          <View className='field-label'>收货方式（不选 = 按店铺设置）</View>
          <ModeToggles value={modes} onChange={setModes} />
        </View>
        <View className='field flex-between'>
          <Text>立即上架</Text>
          <Switch checked={onShelf} color='#07c160' onChange={(e) => setOnShelf(e.detail.value)} />
        </View>
        {blocked && <View className='disabled-reason'>{blocked}</View>}
        <Button className='btn-block save-product' type='primary' block disabled={!valid} loading={busy} onClick={save}>保存</Button>
      </View>
    </View>
  )
}
