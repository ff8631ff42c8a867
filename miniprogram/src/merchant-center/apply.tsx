import Taro from '@tarojs/taro'
import { View, Input, Textarea, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useRef, useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call, newRequestId } from '../services/cloud'
import { refreshMe } from '../services/session'
import { pickImage } from '../utils/upload'
import type { MerchantApplication, MerchantPrivate } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { px } from '../utils/px'
import { checkApplication } from '../utils/forms'

export default function ApplyPage() {
  return (
    <PageShell>
      <Apply />
    </PageShell>
  )
}

function Apply() {
  const mine = useQuery(() => call('merchant', 'mine', {}), [], { refreshOnShow: false })
  return <QueryView q={mine}>{(m) => <ApplyForm m={m} />}</QueryView>
}

/**
 * The form starts from the store's saved application, if any (state seeded at mount): a Taro h5 Input whose
 * value changes before its first render throws in its watchValue.
 */
function ApplyForm({ m }: { m: MerchantPrivate | null }) {
  const cats = useQuery(() => call('merchant', 'categories', {}), [], { refreshOnShow: false })
  const [f, setF] = useState<MerchantApplication>(
    m
      ? { name: m.name, category: m.category, address: m.address, contact: m.contact, licenseImage: m.licenseImage, subMchId: m.subMchId, description: m.description }
      : { name: '', category: '', address: '', contact: '', licenseImage: '', subMchId: '', description: '' },
  )
  const [busy, setBusy] = useState(false)
  const rid = useRef(newRequestId('a'))
  // a field's error shows once it has been typed in; a tap on 提交 shows every remaining one at once
  const [touched, setTouched] = useState<Partial<Record<keyof MerchantApplication, boolean>>>({})
  const [tried, setTried] = useState(false)
  const set = (k: keyof MerchantApplication) => (e: { detail: { value: string } }) => {
    setTouched((t) => ({ ...t, [k]: true }))
    setF((x) => ({ ...x, [k]: e.detail.value }))
  }
  const errors = checkApplication(f, cats.data?.items ?? [])
  const errorOf = (k: keyof MerchantApplication) => ((tried || touched[k]) && errors[k] ? <View className={`red small field-error err-${k}`}>{errors[k]}</View> : null)
  const missing = Object.keys(errors).length

  const upload = async () => {
    const url = await pickImage('license')
    if (url) setF((x) => ({ ...x, licenseImage: url }))
  }
  const submit = async () => {
    setTried(true)
    if (missing) return
    setBusy(true)
    try {
      await call('merchant', 'apply', {
        name: f.name.trim(),
        category: f.category.trim(),
        address: f.address.trim(),
        contact: f.contact.trim(),
        licenseImage: f.licenseImage,
        subMchId: f.subMchId.trim(),
        description: f.description?.trim() || undefined,
        requestId: rid.current,
      })
      await refreshMe()
      await Taro.showModal({ title: '申请已提交', content: '平台审核通过后，请回到商家中心购买保证金积分开通店铺。', showCancel: false, confirmText: '好的' })
      Taro.navigateBack()
    } catch (e) {
      rid.current = newRequestId('a')
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page apply-page'>
      <View className='card'>
        <View className='field'><View className='field-label'>店铺名称</View><Input className='input f-name' value={f.name} placeholder='如：街角咖啡' onInput={set('name')} />{errorOf('name')}</View>
        <View className='field'>
          <View className='field-label'>经营类目</View>
          <View className='flex-wrap' style={{ gap: px(12), marginBottom: px(12) }}>
            {(cats.data?.items || []).map((c) => (
              <View key={c} className={`chip ${f.category === c ? 'active' : ''}`} style={f.category === c ? {} : { background: '#f5f5f5' }} onClick={() => { setTouched((t) => ({ ...t, category: true })); setF((x) => ({ ...x, category: c })) }}>{c}</View>
            ))}
          </View>
          <Input className='input f-category' value={f.category} placeholder='选择上面的类目' onInput={set('category')} />
          {errorOf('category')}
        </View>
        <View className='field'><View className='field-label'>地址</View><Input className='input f-address' value={f.address} placeholder='门店地址' onInput={set('address')} />{errorOf('address')}</View>
        <View className='field'><View className='field-label'>联系方式</View><Input className='input f-contact' value={f.contact} placeholder='电话或微信号' onInput={set('contact')} />{errorOf('contact')}</View>
        <View className='field'>
          <View className='field-label'>营业执照照片</View>
          {f.licenseImage ? <Image src={f.licenseImage} mode='aspectFit' style={{ width: px(300), height: px(200), background: '#f5f5f5' }} /> : <View className='muted'>未上传</View>}
          <View className='btn-row'><Button size='small' className='upload-license' onClick={upload}>{f.licenseImage ? '重新上传' : '上传照片'}</Button></View>
          {errorOf('licenseImage')}
        </View>
        <View className='field'>
          <View className='field-label'>微信支付子商户号</View>
          <Input className='input f-submch' value={f.subMchId} placeholder='在微信支付服务商后台开通的子商户号' onInput={set('subMchId')} />
          {errorOf('subMchId')}
          <View className='field-hint'>顾客的付款直接进入这个商户号，平台不经手。</View>
        </View>
        <View className='field'><View className='field-label'>店铺介绍（可选）</View><Textarea className='textarea f-desc' value={f.description || ''} placeholder='一句话介绍您的店' onInput={set('description')} />{errorOf('description')}</View>
        <Button className='btn-block submit-apply' type='primary' block loading={busy} onClick={submit}>提交申请</Button>
        {tried && missing > 0 && <View className='disabled-reason apply-blocked'>还有 {missing} 项需要修改，见上方红字</View>}
      </View>
    </View>
  )
}
