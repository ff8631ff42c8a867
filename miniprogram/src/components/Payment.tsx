import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useCallback, useRef, useState } from 'react'
import { errorMessage, localPost } from '../services/cloud'
import type { PaymentRequest } from '../services/types'
import { formatYuan } from '../utils/format'
import { px } from '../utils/px'

/**
 * Paying with WeChat Pay. weapp: Taro.requestPayment(pay.payment). h5 (local runtime): a sheet that
 * simulates the WeChat Pay confirmation and completes it with POST /__local/pay.
 * `pay()` resolves true when the payment went through, false when the person cancelled.
 */
export function usePayment() {
  const [req, setReq] = useState<{ pay: PaymentRequest; title: string } | null>(null)
  const resolver = useRef<((ok: boolean) => void) | null>(null)
  const [busy, setBusy] = useState(false)
  const [err, setErr] = useState<string | null>(null)

  const pay = useCallback(async (p: PaymentRequest, title: string): Promise<boolean> => {
    if (process.env.TARO_ENV === 'weapp') {
      try {
        await Taro.requestPayment(p.payment as unknown as Taro.requestPayment.Option)
        return true
      } catch (e) {
        const msg = (e as { errMsg?: string })?.errMsg || ''
        if (/cancel/i.test(msg)) return false
        throw new Error('支付未完成，请稍后在订单中重新支付')
      }
    }
    setErr(null)
    setReq({ pay: p, title })
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve
    })
  }, [])

  const finish = (ok: boolean) => {
    const r = resolver.current
    resolver.current = null
    setReq(null)
    r?.(ok)
  }

  const confirm = async () => {
    if (!req) return
    setBusy(true)
    setErr(null)
    try {
      await localPost('/__local/pay', { outTradeNo: req.pay.outTradeNo }, true)
      finish(true)
    } catch (e) {
      setErr(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const sheet = process.env.TARO_ENV === 'h5' && req ? (
    <View className='mask bottom local-pay' catchMove>
      <View className='sheet'>
        <View className='flex-between'>
          <Text className='tag local'>本地模拟 · 非真实支付</Text>
          <Text className='muted' onClick={() => finish(false)}>取消</Text>
        </View>
        <View className='center mt' style={{ fontSize: px(30) }}>模拟微信支付</View>
        <View className='center muted'>{req.title}</View>
        <View className='center big-number mt' style={{ fontSize: px(72) }}>{formatYuan(req.pay.totalFee)}</View>
        <View className='center muted mt'>商户单号 {req.pay.outTradeNo}</View>
        <View className='muted mt small'>
          这是本地运行环境对微信支付的模拟：点“确认支付”等同于在微信中完成付款，由本地运行时发出支付成功通知。真实小程序中会调起微信支付。
        </View>
        {err && <View className='red small mt'>{err}</View>}
        <Button className='btn-block' type='primary' block size='large' loading={busy} onClick={confirm}>
          确认支付 {formatYuan(req.pay.totalFee)}
        </Button>
      </View>
    </View>
  ) : null

  return { pay, sheet }
}
