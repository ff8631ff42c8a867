/**
 * The buyer's pickup QR (issue 15): `pickup:<orderId>:<code>` (shared/fulfilment.ts pickupScanText), drawn by
 * qrcode-generator (pure JS, no dependencies) as an inline GIF, which an <Image> shows on weapp and h5 alike. The
 * store's 扫码核销 reads it back with parsePickupScan; the typed code stays the way on h5.
 */
import qrcode from 'qrcode-generator'
import { pickupScanText } from '../../../shared/fulfilment'

/** A QR image of `text`: error correction M, `cell` pixels a module, a quiet zone of 4 modules. */
export function qrDataUrl(text: string, cell = 6): { url: string; modules: number } {
  const qr = qrcode(0, 'M')
  qr.addData(text, 'Byte')
  qr.make()
  return { url: qr.createDataURL(cell, cell * 4), modules: qr.getModuleCount() }
}

export const pickupQr = (orderId: string, code: string) => qrDataUrl(pickupScanText(orderId, code))
