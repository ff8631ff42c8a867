import Taro from '@tarojs/taro'
import { View, Textarea, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import { QueryView } from '../../components/States'
import { call } from '../../services/cloud'
import { getSession } from '../../services/session'
import { paymentQrFolder } from '../../../../shared/uploads'
import type { PaymentDetails } from '../../services/types'
import { showError, useQuery } from '../../utils/hooks'
import { px } from '../../utils/px'
import { pickImage } from '../../utils/upload'

export default function PaymentDetailsPage() {
  return (
    <PageShell>
      <PaymentDetailsView />
    </PageShell>
  )
}

function PaymentDetailsView() {
  const q = useQuery(() => call('market', 'getPaymentDetails', {}), [], { refreshOnShow: false })
  return <QueryView q={q}>{(d) => <PaymentDetailsForm saved={d} onSaved={q.setData} />}</QueryView>
}

/**
 * The form starts from what is saved (state seeded at mount): a Taro h5 Textarea whose value changed before
 * its first render threw "Cannot read properties of undefined (reading 'value')" (its watchValue ran with no
 * textarea yet), which the old load-then-setText effect did on every visit.
 */
function PaymentDetailsForm({ saved, onSaved }: { saved: PaymentDetails; onSaved: (d: PaymentDetails) => void }) {
  const [text, setText] = useState(saved.accountText || '')
  const [qr, setQr] = useState<string | null>(saved.qrImageUrl)
  const [busy, setBusy] = useState(false)
  const upload = async () => {
    // the server accepts a QR file only from the user's own folder (shared/uploads.ts)
    const me = getSession().me
    if (!me) return
    const url = await pickImage(paymentQrFolder(me.openid))
    if (url) setQr(url)
  }
  const save = async () => {
    setBusy(true)
    try {
      const r = await call('market', 'setPaymentDetails', { accountText: text.trim() || null, qrImageUrl: qr })
      onSaved(r)
      Taro.showToast({ title: '已保存', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page payment-details-page'>
      <View className='card'>
        <View className='field'>
          <View className='field-label'>收款账户说明</View>
          <Textarea className='textarea account-text' placeholder='例如：微信号 zhangsan / 支付宝 138xxxx / 银行卡 6222…（开户行）' value={text} maxlength={200} onInput={(e) => setText(e.detail.value)} />
        </View>
        <View className='field'>
          <View className='field-label'>收款码（可选）</View>
          {qr ? <Image src={qr} mode='aspectFit' style={{ width: px(320), height: px(320) }} /> : <View className='muted'>未上传</View>}
          <View className='btn-row'>
            <Button size='small' onClick={upload}>{qr ? '更换收款码' : '上传收款码'}</Button>
            {qr && <Button size='small' onClick={() => setQr(null)}>移除</Button>}
          </View>
        </View>
        <Button className='btn-block save-payment' type='primary' block loading={busy} onClick={save}>保存</Button>
        <View className='muted small mt'>只在您作为卖家成交后展示给该笔交易的买家。</View>
      </View>
    </View>
  )
}
