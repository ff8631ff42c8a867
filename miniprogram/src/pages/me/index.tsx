import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import { useSession, hasRole, switchDevIdentity, refreshMe } from '../../services/session'
import { useDidShow } from '@tarojs/taro'
import { px } from '../../utils/px'
import { refreshUnread, useUnread } from '../../services/unread'

export default function MePage() {
  return (
    <PageShell>
      <Me />
    </PageShell>
  )
}

function Item({ text, extra, badge, onClick, className }: { text: string; extra?: string; badge?: number; onClick: () => void; className?: string }) {
  return (
    <View className={`row link ${className || ''}`} onClick={onClick}>
      <Text className='grow'>{text}</Text>
      {!!badge && <Text className='unread-badge' style={{ background: '#fa5151', color: '#fff', borderRadius: px(20), padding: `0 ${px(12)}`, fontSize: px(22), lineHeight: px(36), marginRight: px(8) }}>{badge > 99 ? '99+' : badge}</Text>}
      {extra && <Text className='muted'>{extra}</Text>}
    </View>
  )
}

function Me() {
  const { me } = useSession()
  const [showRisk, setShowRisk] = useState(false)
  const unread = useUnread()
  useDidShow(() => {
    refreshMe()
    refreshUnread(true)
  })
  if (!me) return null
  const go = (url: string) => Taro.navigateTo({ url })
  return (
    <View className='page me-page'>
      <View className='card flex'>
        <View className='thumb' style={{ borderRadius: px(60) }}>{(me.nickname || '我').slice(0, 1)}</View>
        <View className='grow'>
          <View className='strong' style={{ fontSize: px(34) }}>{me.nickname || '微信用户'}</View>
          <View className='muted'>用户号 <Text className='strong user-no' style={{ color: '#1a1a1a' }}>{me.userNo}</Text></View>
          <View style={{ marginTop: px(6) }}>
            {hasRole(me, 'merchant') && <Text className='tag primary'>商家</Text>}
            {hasRole(me, 'admin') && <Text className='tag info ml'>管理员</Text>}
          </View>
        </View>
      </View>

      <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
        <Item className='to-messages' text='消息中心' badge={unread?.total ?? 0} onClick={() => go('/pages/messages/index')} />
        <Item text='我的订单' onClick={() => go('/pages/orders/index')} />
        <Item text='待收货' onClick={() => go('/pages/orders/index?status=shipped')} />
        <Item text='积分明细' onClick={() => go('/pages/ledger/index')} />
        <Item text='转赠积分' onClick={() => go('/pages/transfer/index')} />
        <Item className='to-invitees' text='我邀请的人' onClick={() => go('/pages/invitees/index')} />
        <Item text='我的收款方式（C2C 卖出时展示给买家）' onClick={() => go('/pages/payment-details/index')} />
      </View>

      <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
        <Item className='to-merchant-center' text='商家中心' extra={me.merchantId ? '' : '申请入驻'} onClick={() => go('/merchant-center/index')} />
        {hasRole(me, 'admin') && <Item className='to-admin' text='管理后台' onClick={() => go('/admin/index')} />}
      </View>

      <View className='card' style={{ padding: `${px(4)} ${px(28)}` }}>
        <Item text='风险提示' onClick={() => setShowRisk(!showRisk)} />
        {showRisk && (
          <View className='muted small' style={{ paddingBottom: px(16) }}>
            共享积分没有保证的现金价值，平台不承诺兑付；积分价格随市场变化，可能下跌。共享值不能转让或提现。C2C 交易的货款由买卖双方直接支付，平台不经手资金。
            <View className='link-text me-explain' onClick={() => go('/pages/explain/index')}>共享值如何转换（模拟说明） ›</View>
          </View>
        )}
        {process.env.TARO_ENV === 'h5' && (
          <View className='row link switch-user' onClick={switchDevIdentity}>
            <Text className='grow'>切换用户</Text>
            <Text className='tag local'>开发者登录 · 仅本地</Text>
          </View>
        )}
      </View>
    </View>
  )
}
