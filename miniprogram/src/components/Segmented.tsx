import { View } from '@tarojs/components'
import { px } from '../utils/px'

export default function Segmented<K extends string>({ items, value, onChange }: { items: { key: K; text: string }[]; value: K; onChange: (k: K) => void }) {
  return (
    <View className='segmented flex' style={{ background: '#fff', padding: `0 ${px(12)}` }}>
      {items.map((it) => (
        <View
          key={it.key}
          className={`seg-item ${value === it.key ? 'active' : ''}`}
          style={{
            flex: 1,
            textAlign: 'center',
            padding: `${px(22)} 0 ${px(16)}`,
            fontSize: px(28),
            color: value === it.key ? '#07c160' : '#4f4f4f',
            fontWeight: value === it.key ? 600 : 400,
            borderBottom: value === it.key ? `${px(3)} solid #07c160` : `${px(3)} solid transparent`,
          }}
          onClick={() => onChange(it.key)}
        >
          {it.text}
        </View>
      ))}
    </View>
  )
}
