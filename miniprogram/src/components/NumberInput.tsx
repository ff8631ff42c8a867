import { Input, View } from '@tarojs/components'

/**
 * A number field that keeps exactly what was typed. On h5, Taro's type='digit' / 'number' input drops
 * '-' and '.' as they are typed ("-1" became "1", "1.5" became "15") and the page then submitted a value
 * the user never typed; so on h5 it is a text field with a numeric keyboard hint, and the page's check
 * (utils/input.ts) refuses what cannot be submitted, with the reason shown right under the field.
 * On weapp the numeric keyboards have no minus sign, so the native types are kept.
 */
export default function NumberInput({
  className,
  value,
  onInput,
  placeholder,
  integer,
  error,
  disabled,
}: {
  className?: string
  value: string
  onInput: (v: string) => void
  placeholder?: string
  /** whole numbers only (stock, quantity) */
  integer?: boolean
  /** shown beside the field at once (from utils/input.ts) */
  error?: string | null
  disabled?: boolean
}) {
  const h5 = process.env.TARO_ENV === 'h5'
  return (
    <View className='number-field'>
      <Input
        className={`input ${className || ''} ${error ? 'input-error' : ''}`}
        type={h5 ? 'text' : integer ? 'number' : 'digit'}
        nativeProps={h5 ? { inputMode: integer ? 'numeric' : 'decimal' } : undefined}
        placeholder={placeholder}
        value={value}
        disabled={disabled}
        onInput={(e) => onInput(e.detail.value)}
      />
      {error && <View className='red small field-error'>{error}</View>}
    </View>
  )
}
