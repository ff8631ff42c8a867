import { View, Text } from '@tarojs/components'
import { px } from '../utils/px'

/** A − n + stepper (integers). */
export default function Stepper({ value, min = 1, max = 999, onChange }: { value: number; min?: number; max?: number; onChange: (v: number) => void }) {
  const btn = { width: px(56), height: px(56), lineHeight: px(52), textAlign: 'center' as const, background: '#f2f2f2', borderRadius: px(8), fontSize: px(36) }
  return (
    <View className='flex stepper'>
      <View className='stepper-minus' style={{ ...btn, color: value <= min ? '#ccc' : '#1a1a1a' }} onClick={() => value > min && onChange(value - 1)}>−</View>
      <Text className='stepper-value' style={{ minWidth: px(72), textAlign: 'center', fontSize: px(30) }}>{value}</Text>
      <View className='stepper-plus' style={{ ...btn, color: value >= max ? '#ccc' : '#1a1a1a' }} onClick={() => value < max && onChange(value + 1)}>+</View>
    </View>
  )
}
