import qrcode from 'qrcode-generator'
import { parsePickupScan } from '../../../shared/fulfilment'
import { pickupQr, qrDataUrl } from './qr'

describe('the pickup QR (issue 15)', () => {
  test('carries pickup:<order>:<code>, which the store scan reads back', () => {
    const orderId = 'O2026112820301212345678'
    const { url, modules } = pickupQr(orderId, '004242')
    expect(url).toMatch(/^data:image\/gif;base64,/)
    // 37 characters in byte mode at level M: version 3 (up to 42), 29 modules a side
    expect(modules).toBe(29)
    // the GIF is modules + 8 quiet modules, 6 pixels each (its width is bytes 6–7 of the file, little endian)
    const gif = Buffer.from(url.split(',')[1], 'base64')
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF87a')
    expect(gif.readUInt16LE(6)).toBe((29 + 8) * 6)
    // the image is of the text the scanner will read, dark modules where the library's matrix has them
    expect(qrDataUrl(`pickup:${orderId}:004242`).url).toBe(url)
    const qr = qrcode(0, 'M')
    qr.addData(`pickup:${orderId}:004242`, 'Byte')
    qr.make()
    expect([qr.isDark(0, 0), qr.isDark(0, 7), qr.isDark(3, 3)]).toEqual([true, false, true]) // a finder pattern's corner, its separator, its centre
    expect(parsePickupScan(`pickup:${orderId}:004242`)).toEqual({ orderId, code: '004242' })
  })
})
