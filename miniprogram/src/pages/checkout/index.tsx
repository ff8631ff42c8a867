import { useRouter } from '@tarojs/taro'
import PageShell from '../../components/PageShell'
import CheckoutLoader from '../../components/Checkout'
import { merchantIdFromScene } from '../../services/orders'

export default function CheckoutPage() {
  const { params } = useRouter()
  const merchantId = decodeURIComponent(params.merchantId || params.id || '') || merchantIdFromScene(params.scene)
  const mode = params.mode === 'goods' || params.mode === 'cart' ? params.mode : 'instore'
  return (
    <PageShell>
      <CheckoutLoader
        merchantId={merchantId}
        mode={mode}
        productId={decodeURIComponent(params.productId || '')}
        qty={Math.max(1, parseInt(params.qty || '1', 10) || 1)}
      />
    </PageShell>
  )
}
