import Taro from '@tarojs/taro'
import { View, Text, Input, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import { call } from '../services/cloud'
import type { Address, FulfilmentMode, MerchantPrivate, Order, SavedAddress } from '../services/types'
import { FULFILMENT_LABELS, addressFromWechat, addressLine, normalizeAddress, parsePickupScan } from '../../../shared/fulfilment'
import { pickupQr } from '../utils/qr'
import { showError, toast, useQuery } from '../utils/hooks'
import { px } from '../utils/px'
import { shipSummary } from '../utils/lists'

/** Issue 15: how goods reach the buyer — picking a mode, an address, and showing both on an order. */

export function ModePicker({ modes, value, onChange }: { modes: FulfilmentMode[]; value: FulfilmentMode | null; onChange: (m: FulfilmentMode) => void }) {
  return (
    <View className='flex-wrap mode-picker' style={{ gap: px(16) }}>
      {modes.map((m) => (
        <View key={m} className={`chip mode-${m} ${value === m ? 'active' : ''}`} style={{ border: `${px(1)} solid ${value === m ? '#07c160' : '#e5e5e5'}` }} onClick={() => onChange(m)}>
          {FULFILMENT_LABELS[m]}
        </View>
      ))}
    </View>
  )
}

/** Toggles for a store's or a product's set of modes. */
export function ModeToggles({ value, onChange }: { value: FulfilmentMode[]; onChange: (m: FulfilmentMode[]) => void }) {
  const all: FulfilmentMode[] = ['delivery', 'pickup', 'dinein']
  const toggle = (m: FulfilmentMode) => onChange(value.includes(m) ? value.filter((x) => x !== m) : all.filter((x) => x === m || value.includes(x)))
  return (
    <View className='flex-wrap mode-toggles' style={{ gap: px(16) }}>
      {all.map((m) => (
        <View key={m} className={`chip toggle-${m} ${value.includes(m) ? 'active' : ''}`} style={{ border: `${px(1)} solid ${value.includes(m) ? '#07c160' : '#e5e5e5'}` }} onClick={() => toggle(m)}>
          {value.includes(m) ? '✓ ' : ''}{FULFILMENT_LABELS[m]}
        </View>
      ))}
    </View>
  )
}

const EMPTY: Address = { name: '', phone: '', region: '', detail: '' }

/**
 * The delivery address at checkout: the default of the address book, another from it, WeChat's own address
 * picker on weapp (saved into the book), or the form (h5, or by choice).
 */
export function AddressPicker({ value, onChange }: { value: Address | null; onChange: (a: Address | null) => void }) {
  const book = useQuery(async () => {
    const r = await call('user', 'addresses', {})
    if (!value && r.items[0]) onChange(strip(r.items[0]))
    return r
  }, [], { refreshOnShow: false })
  const [mode, setMode] = useState<'show' | 'list' | 'form'>('show')
  const [form, setForm] = useState<Address>(EMPTY)
  const [saving, setSaving] = useState(false)

  const save = async (a: Address) => {
    const n = normalizeAddress(a)
    if (!n.ok) return toast(n.message)
    setSaving(true)
    try {
      const r = await call('user', 'saveAddress', n.address)
      book.setData({ items: r.items })
      onChange(strip(r.saved))
      setMode('show')
    } catch (e) {
      showError(e)
    } finally {
      setSaving(false)
    }
  }
  const fromWechat = async () => {
    try {
      const r = await Taro.chooseAddress()
      await save(addressFromWechat(r))
    } catch (e) {
      // the user closed the picker, or refused the permission: keep what was there
      if (!/cancel/i.test(String((e as { errMsg?: string })?.errMsg ?? e))) toast('未能获取微信地址，请手动填写')
    }
  }
  const items = book.data?.items ?? []
  return (
    <View className='address-picker'>
      {mode === 'show' && (
        <View>
          {value ? (
            <View className='address-chosen' onClick={() => setMode(items.length > 1 ? 'list' : 'form')}>
              <View className='strong'>{value.name} <Text className='muted'>{value.phone}</Text></View>
              <View className='small'>{addressLine(value)}</View>
            </View>
          ) : (
            <View className='muted'>还没有收货地址</View>
          )}
          <View className='btn-row'>
            {process.env.TARO_ENV === 'weapp' && <Button size='small' type='primary' onClick={fromWechat}>使用微信收货地址</Button>}
            {items.length > 1 && <Button size='small' onClick={() => setMode('list')}>地址簿</Button>}
            <Button size='small' className='address-new' onClick={() => { setForm(EMPTY); setMode('form') }}>{value ? '新地址' : '填写地址'}</Button>
          </View>
        </View>
      )}
      {mode === 'list' && (
        <View className='address-list'>
          {items.map((a) => (
            <View key={a.id} className='row link' onClick={() => { onChange(strip(a)); setMode('show') }}>
              <View className='grow'>
                <View className='strong'>{a.name} <Text className='muted'>{a.phone}</Text>{a.isDefault ? <Text className='tag success ml'>默认</Text> : null}</View>
                <View className='small muted'>{addressLine(a)}</View>
              </View>
            </View>
          ))}
          <Button size='small' onClick={() => setMode('show')}>返回</Button>
        </View>
      )}
      {mode === 'form' && (
        <View className='address-form'>
          <Input className='input addr-name' placeholder='收货人' value={form.name} onInput={(e) => setForm({ ...form, name: e.detail.value })} />
          <Input className='input addr-phone mt' type='number' placeholder='手机号码' value={form.phone} onInput={(e) => setForm({ ...form, phone: e.detail.value })} />
          <Input className='input addr-region mt' placeholder='所在地区，如 上海市 浦东新区' value={form.region} onInput={(e) => setForm({ ...form, region: e.detail.value })} />
          <Input className='input addr-detail mt' placeholder='详细地址（街道、门牌号）' value={form.detail} onInput={(e) => setForm({ ...form, detail: e.detail.value })} />
          <View className='btn-row'>
            <Button size='small' onClick={() => setMode('show')}>取消</Button>
            <Button size='small' type='primary' className='address-save' loading={saving} onClick={() => save(form)}>保存并使用</Button>
          </View>
        </View>
      )}
    </View>
  )
}

const strip = (a: SavedAddress | Address): Address => ({ name: a.name, phone: a.phone, region: a.region, detail: a.detail })

/** On the order page: how the order reaches the buyer (address, carrier and tracking no., pickup code). */
export function OrderFulfilment({ o, flat }: { o: Order; flat?: boolean }) {
  if (o.kind !== 'goods' || !o.fulfilment) return null
  return (
    <View className={`${flat ? '' : 'card '}order-fulfilment`} style={flat ? { marginTop: px(8) } : undefined}>
      {flat ? <Text className='tag'>{FULFILMENT_LABELS[o.fulfilment]}</Text> : <View className='card-title'><Text>{FULFILMENT_LABELS[o.fulfilment]}</Text></View>}
      {o.fulfilment === 'pickup' && o.pickupCode && (o.status === 'paid' || o.status === 'unpaid') && (
        <View className='center'>
          <View className='muted'>{o.status === 'paid' ? '到店后向商家出示取货码' : '支付后可凭取货码到店取货'}</View>
          {o.status === 'paid' && <View className='big-number pickup-code' style={{ letterSpacing: px(12), margin: `${px(16)} 0` }}>{o.pickupCode}</View>}
          {o.status === 'paid' && (
            <>
              {/* the same code as a QR for the store's 扫码核销 (utils/qr.ts) */}
              <Image className='pickup-qr' src={pickupQr(o.id, o.pickupCode).url} style={{ width: px(300), height: px(300), display: 'block', margin: '0 auto' }} />
              <View className='muted small'>商家扫码或输入取货码核销</View>
            </>
          )}
        </View>
      )}
      {o.fulfilment === 'pickup' && o.status === 'completed' && <View className='muted'>已取货</View>}
      {o.fulfilment === 'dinein' && <View className='muted'>堂食/现场交付，付款后订单即完成</View>}
      {o.fulfilment === 'delivery' && !o.address && <View className='muted'>未填写收货地址</View>}
      {o.address && (
        <View className='order-address'>
          <View className='strong'>{o.address.name} <Text className='muted'>{o.address.phone}</Text></View>
          <View className='small'>{addressLine(o.address)}</View>
        </View>
      )}
      {o.carrier && (
        <View className='row order-tracking'>
          <Text className='label'>物流</Text>
          <Text className='value'>{o.carrier} {o.trackingNo}</Text>
        </View>
      )}
      {o.note ? <View className='row'><Text className='label'>备注</Text><Text className='value order-note'>{o.note}</Text></View> : null}
    </View>
  )
}

/** The store ships a delivery order: carrier and tracking number. */
export function ShipForm({ order, onDone }: { order: Order; onDone: (o: Order) => void }) {
  const [open, setOpen] = useState(false)
  const [carrier, setCarrier] = useState('')
  const [no, setNo] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    if (order.address && (!carrier.trim() || !no.trim())) return toast('请填写快递公司和快递单号')
    setBusy(true)
    try {
      onDone(await call('merchant', 'ship', { orderId: order.id, carrier: carrier.trim() || undefined, trackingNo: no.trim() || undefined }))
      Taro.showToast({ title: '已发货', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  if (!open) return <Button size='small' type='primary' className='ship-btn' onClick={() => setOpen(true)}>发货</Button>
  return (
    <View className='ship-form grow'>
      {/* the order's tail number and what it holds, not the full id (utils/lists shipSummary) */}
      <View className='small muted ship-summary'>{shipSummary(order).split('\n').slice(0, 3).join(' · ')}</View>
      <Input className='input ship-carrier' placeholder='快递公司，如 顺丰速运' value={carrier} onInput={(e) => setCarrier(e.detail.value)} />
      <Input className='input ship-no mt' placeholder='快递单号' value={no} onInput={(e) => setNo(e.detail.value)} />
      <View className='btn-row'>
        <Button size='small' onClick={() => setOpen(false)}>取消</Button>
        <Button size='small' type='primary' className='ship-confirm' loading={busy} onClick={submit}>确认发货</Button>
      </View>
    </View>
  )
}

/** The store completes a pickup order with the code the buyer shows. */
export function PickupVerify({ onDone }: { onDone: (o: Order) => void }) {
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const verify = async (c: string, orderId?: string) => {
    setBusy(true)
    try {
      const o = await call('merchant', 'verifyPickup', { code: c, orderId })
      setCode('')
      Taro.showToast({ title: '已核销取货', icon: 'success' })
      onDone(o)
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  // weapp: scan the buyer's pickup QR (pickup:<order>:<code>); h5 has no camera scan, the typed code is its way
  const scan = async () => {
    let text = ''
    try {
      text = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] })).result
    } catch {
      return // closed the scanner
    }
    const read = parsePickupScan(text)
    if (!read) return toast('这不是取货码，请扫描顾客订单页的取货二维码')
    await verify(read.code, read.orderId ?? undefined)
  }
  return (
    <View className='card pickup-verify'>
      <View className='card-title'>核销自提订单</View>
      {process.env.TARO_ENV === 'weapp' && (
        <Button type='primary' block className='pickup-scan' loading={busy} onClick={scan} style={{ marginBottom: px(16) }}>扫码核销</Button>
      )}
      <View className='flex' style={{ gap: px(16) }}>
        <Input className='input grow pickup-input' type='number' maxlength={6} placeholder='输入顾客的 6 位取货码' value={code} onInput={(e) => setCode(e.detail.value)} />
        <Button type={process.env.TARO_ENV === 'weapp' ? 'default' : 'primary'} className='pickup-submit' disabled={code.length !== 6} loading={busy} onClick={() => verify(code)}>核销</Button>
      </View>
    </View>
  )
}

/** The merchant centre: which modes the store offers for goods. */
export function StoreModes({ m }: { m: MerchantPrivate }) {
  const [modes, setModes] = useState<FulfilmentMode[]>(m.fulfilmentModes)
  const [busy, setBusy] = useState(false)
  const changed = modes.join() !== m.fulfilmentModes.join()
  const save = async () => {
    if (!modes.length) return toast('请至少选择一种收货方式')
    setBusy(true)
    try {
      const r = await call('merchant', 'setFulfilment', { modes })
      m.fulfilmentModes = r.fulfilmentModes
      setModes(r.fulfilmentModes)
      Taro.showToast({ title: '已保存', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card store-modes'>
      <View className='card-title'>
        <Text>收货方式</Text>
        {changed && <Button size='small' type='primary' className='store-modes-save' loading={busy} onClick={save}>保存</Button>}
      </View>
      <ModeToggles value={modes} onChange={setModes} />
      <View className='field-hint'>快递配送需填写地址并发货；到店自提凭取货码核销；堂食/现场付款后即完成。</View>
    </View>
  )
}
