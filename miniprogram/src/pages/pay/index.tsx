import { useRouter } from '@tarojs/taro'
import PageShell from '../../components/PageShell'
import CheckoutLoader from '../../components/Checkout'
import { merchantIdFromScene } from '../../services/orders'

/**
 * The page the merchant's printed pay code opens (wxacode scene "m=<merchantId>"): pay an amount in
 * store, optionally with points. On h5 the same page takes ?m=<merchantId>.
 */
export default function PayPage() {
  const { params } = useRouter()
  const merchantId = merchantIdFromScene(params.scene) || decodeURIComponent(params.m || params.merchantId || params.id || '')
  return (
    <PageShell>
      <CheckoutLoader merchantId={merchantId} mode='instore' productId='' qty={1} />
    </PageShell>
  )
}
