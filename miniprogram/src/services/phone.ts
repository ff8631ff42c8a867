import Taro from '@tarojs/taro'

/** The phone number in a store's contact text (a mobile or a landline), or null when it has none. */
export function phoneOf(contact: string | null | undefined): string | null {
  const m = /(\+?\d[\d-]{5,18}\d)/.exec(contact ?? '')
  return m ? m[1] : null
}

/** Tap-to-call: WeChat's own call sheet (in a browser, Taro opens the tel: link). */
export function callStore(contact: string): void {
  const n = phoneOf(contact)
  if (!n) return
  Taro.makePhoneCall({ phoneNumber: n }).catch(() => undefined)
}
