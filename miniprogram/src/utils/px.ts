/**
 * Inline styles are not run through pxtransform, so sizes in them go through px(): design px at a
 * 750-wide design → rpx on weapp, rem on h5 (the same rule Taro applies to the stylesheets: 40 design px = 1rem).
 */
export function px(n: number): string {
  if (process.env.TARO_ENV === 'h5') return `${n / 40}rem`
  return `${n}rpx`
}
