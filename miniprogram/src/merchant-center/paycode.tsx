import Taro from '@tarojs/taro'
import { View, Image, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { showError, useQuery } from '../utils/hooks'
import { px } from '../utils/px'

export default function PayCodePage() {
  return (
    <PageShell>
      <PayCode />
    </PageShell>
  )
}

function PayCode() {
  const code = useQuery(() => call('merchant', 'payCode', {}), [], { refreshOnShow: false })
  const mine = useQuery(() => call('merchant', 'mine', {}), [], { refreshOnShow: false })
  const save = async (url: string) => {
    if (process.env.TARO_ENV === 'h5') {
      window.open(url, '_blank')
      return
    }
    try {
      const local = url.startsWith('cloud://') ? (await Taro.cloud.downloadFile({ fileID: url })).tempFilePath : (await Taro.downloadFile({ url })).tempFilePath
      await Taro.saveImageToPhotosAlbum({ filePath: local })
      Taro.showToast({ title: '已保存到相册', icon: 'success' })
    } catch (e) {
      showError(e)
    }
  }
  return (
    <QueryView q={code}>
      {(c) => (
        <View className='page paycode-page'>
          <View className='card center' style={{ padding: `${px(48)} ${px(28)}` }}>
            <View className='strong' style={{ fontSize: px(40) }}>{mine.data?.name || ''}</View>
            <View className='muted'>微信扫一扫 · 到店付款 · 积分可抵扣</View>
            <Image className='paycode-img' src={c.imageUrl} mode='widthFix' style={{ width: px(480), margin: `${px(32)} auto ${px(16)}`, display: 'block' }} />
            <View className='muted small'>打印后张贴在收银台。顾客扫码后输入金额，可用积分抵扣部分金额，现金直接付到您的微信支付商户号。</View>
            <View className='btn-row'>
              <Button type='primary' onClick={() => save(c.imageUrl)}>{process.env.TARO_ENV === 'h5' ? '打开图片以打印' : '保存到相册'}</Button>
            </View>
          </View>
          <View className='pad muted small'>顾客用微信扫这个码即可打开您店铺的付款页，无需另外搜索。</View>
          {process.env.TARO_ENV === 'h5' && (
            <View className='pad mt'>
              <Text className='tag local'>仅本地</Text>
              <Text className='link-text ml simulate-scan' onClick={() => Taro.navigateTo({ url: `/${c.page}?scene=${encodeURIComponent(c.scene)}` })}>模拟顾客扫码付款 ›</Text>
            </View>
          )}
        </View>
      )}
    </QueryView>
  )
}
