import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import type { ReactNode } from 'react'

export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className='state loading'>
      <View className='spinner' />
      <Text>{text}</Text>
    </View>
  )
}

/** The way home from a page that cannot show what it was opened for (not found, no access, bad link). */
export function goHome() {
  Taro.switchTab({ url: '/pages/index/index' })
}

export function ErrorView({ message, onRetry, home = true }: { message: string; onRetry?: () => void; home?: boolean }) {
  return (
    <View className='state error'>
      <View className='state-icon'>!</View>
      <Text>{message}</Text>
      {(onRetry || home) && (
        <View className='retry btn-row' style={{ justifyContent: 'center' }}>
          {onRetry && <Button size='small' onClick={onRetry}>重试</Button>}
          {home && <Button size='small' type='primary' className='go-home' onClick={goHome}>回首页</Button>}
        </View>
      )}
    </View>
  )
}

export function Empty({ text, children, home }: { text: string; children?: ReactNode; home?: boolean }) {
  return (
    <View className='state empty'>
      <View className='state-icon'>空</View>
      <Text>{text}</Text>
      {children}
      {home && (
        <View className='retry'>
          <Button size='small' type='primary' className='go-home' onClick={goHome}>回首页</Button>
        </View>
      )}
    </View>
  )
}

/** Renders loading / error / empty around a query's data. */
export function QueryView<T>({
  q,
  empty,
  isEmpty,
  children,
}: {
  q: { data: T | undefined; error: string | null; loading: boolean; reload: () => void }
  empty?: string
  isEmpty?: (d: T) => boolean
  children: (d: T) => ReactNode
}) {
  if (q.data === undefined) {
    if (q.error) return <ErrorView message={q.error} onRetry={q.reload} />
    return <Loading />
  }
  if (empty && isEmpty && isEmpty(q.data)) return <Empty text={empty} />
  return (
    <>
      {q.error && <View className='notice-bar'>刷新失败：{q.error}</View>}
      {children(q.data)}
    </>
  )
}
