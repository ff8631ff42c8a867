import Taro from '@tarojs/taro'
import { View, Input, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useEffect, useState } from 'react'
import PageShell from '../components/PageShell'
import AdminGate from '../components/AdminGate'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { pickImage } from '../utils/upload'
import type { Banner } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { px } from '../utils/px'

export default function AdminBannersPage() {
  return (
    <PageShell>
      <AdminGate>
        <Banners />
      </AdminGate>
    </PageShell>
  )
}

/** Issue 15: the home page's banners (admin.setBanners, audited): image, title, the store a tap opens. */
function Banners() {
  const q = useQuery(() => call('merchant', 'home', { limit: 1 }), [])
  const [items, setItems] = useState<Banner[]>([])
  const [draft, setDraft] = useState<Banner>({ image: '', title: '', merchantId: '' })
  const [busy, setBusy] = useState(false)
  useEffect(() => { if (q.data) setItems(q.data.banners) }, [q.data])

  const save = async (next: Banner[]) => {
    setBusy(true)
    try {
      const r = await call('admin', 'setBanners', { banners: next })
      setItems(r.items)
      Taro.showToast({ title: '已保存，记入审计', icon: 'none' })
      return true
    } catch (e) {
      showError(e)
      return false
    } finally {
      setBusy(false)
    }
  }
  const upload = async () => {
    const url = await pickImage('banners')
    if (url) setDraft((d) => ({ ...d, image: url }))
  }
  const add = async () => {
    if (await save([...items, { image: draft.image.trim(), title: draft.title.trim(), merchantId: draft.merchantId.trim() }])) setDraft({ image: '', title: '', merchantId: '' })
  }
  const blocked = items.length >= 5 ? '最多 5 个横幅' : !draft.image.trim() ? '请上传图片或填写图片地址' : !draft.title.trim() ? '请填写标题' : !draft.merchantId.trim() ? '请填写商家编号（如 m100001）' : ''

  return (
    <View className='page admin-banners-page'>
      <QueryView q={q}>
        {() => (
          <View className='card'>
            <View className='card-title'>当前横幅（{items.length} / 5）</View>
            {items.length === 0 && <View className='muted'>还没有横幅，首页不显示横幅。</View>}
            {items.map((b, i) => (
              <View key={i} className='list-item admin-banner'>
                <Image className='thumb' src={b.image} mode='aspectFill' />
                <View className='grow'>
                  <View className='strong ellipsis'>{b.title}</View>
                  <View className='muted small'>商家 {b.merchantId}</View>
                </View>
                <Button size='small' loading={busy} onClick={() => save(items.filter((_x, j) => j !== i))}>删除</Button>
              </View>
            ))}
          </View>
        )}
      </QueryView>
      <View className='card'>
        <View className='card-title'>添加横幅</View>
        <View className='field'>
          <View className='field-label'>图片</View>
          {draft.image ? <Image src={draft.image} mode='aspectFill' style={{ width: '100%', height: px(240), borderRadius: px(12) }} /> : null}
          <View className='flex'>
            <Input className='input grow' value={draft.image} placeholder='图片地址（https:// 或 cloud://）' onInput={(e) => setDraft({ ...draft, image: e.detail.value })} />
            <Button size='small' onClick={upload}>上传</Button>
          </View>
        </View>
        <View className='field'><View className='field-label'>标题</View><Input className='input banner-title' value={draft.title} maxlength={30} placeholder='如：新店开业' onInput={(e) => setDraft({ ...draft, title: e.detail.value })} /></View>
        <View className='field'><View className='field-label'>点击打开的商家编号</View><Input className='input banner-merchant' value={draft.merchantId} placeholder='如：m100001' onInput={(e) => setDraft({ ...draft, merchantId: e.detail.value })} /></View>
        {blocked && <View className='disabled-reason'>{blocked}</View>}
        <Button className='btn-block' type='primary' block loading={busy} disabled={!!blocked} onClick={add}>添加并保存</Button>
      </View>
    </View>
  )
}
