/**
 * The seller's payment details: a payment QR image (a cloud-storage file id the mini-program uploaded with
 * wx.cloud.uploadFile, or an https URL) and/or account text (e.g. "支付宝 138****0000 张三").
 * Stored privately in `marketPayment/<openid>`; only the owner reads them here, and the buyer of a trade sees the
 * copy taken when the trade was matched (views.ts), nobody else.
 */
import { DomainError } from '../../shared/errors';
import { cloudFileInFolder, paymentQrFolder } from '../../shared/uploads';
import type { PaymentDetails } from '../../shared/api';
import type { Caller } from '../handler';
import { now } from '../clock';
import { getDb, lockAndRead, readDoc, runTx, writeDoc } from '../db';
import { ORDERS, PAYMENT, PaymentSnapshot } from './model';
import { paymentView } from './views';

function parseQr(v: unknown): string | null {
  if (v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > 512 || !/^(cloud:\/\/|https:\/\/)\S+$/.test(v)) {
    throw new DomainError('BAD_PAYMENT_QR', '收款码须为上传到云存储的图片');
  }
  return v;
}

/**
 * A cloud file id must be one the caller uploaded to their own folder (shared/uploads.ts): the trade view turns
 * it into a temporary URL with the function's rights, so a foreign file id would show anyone's file.
 */
function assertOwnUpload(qr: string, openid: string): void {
  if (qr.startsWith('cloud://') && !cloudFileInFolder(qr, paymentQrFolder(openid))) {
    throw new DomainError('BAD_PAYMENT_QR', '收款码须为你自己上传的图片，请重新上传');
  }
}

function parseAccount(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string') throw new DomainError('BAD_PAYMENT_ACCOUNT', '收款账号须为文字');
  const s = v.trim();
  if (s.length === 0) return null;
  if (s.length > 200) throw new DomainError('BAD_PAYMENT_ACCOUNT', '收款账号说明不超过 200 字');
  return s;
}

/**
 * MarketApi.setPaymentDetails: a field left out is kept, a null clears it. Both cannot be cleared while a sell
 * order is open: checked in the transaction that clears them, after locking the details document that placing a
 * sell order locks too (market/orders.ts), so the two cannot pass each other.
 */
export async function setPaymentDetails(payload: Record<string, unknown>, caller: Caller): Promise<PaymentDetails> {
  const hasQr = Object.prototype.hasOwnProperty.call(payload, 'qrImageUrl') && payload.qrImageUrl !== undefined;
  const hasAcc = Object.prototype.hasOwnProperty.call(payload, 'accountText') && payload.accountText !== undefined;
  const qr = hasQr ? parseQr(payload.qrImageUrl) : undefined;
  const acc = hasAcc ? parseAccount(payload.accountText) : undefined;
  if (qr) assertOwnUpload(qr, caller.openid);
  const saved = await runTx(async (tx) => {
    const cur = await lockAndRead<PaymentSnapshot>(tx, PAYMENT, caller.openid);
    const next: PaymentSnapshot & { openid: string; updatedAt: number } = {
      openid: caller.openid,
      qrFileId: qr !== undefined ? qr : cur?.qrFileId ?? null,
      accountText: acc !== undefined ? acc : cur?.accountText ?? null,
      updatedAt: now(),
    };
    if (!next.qrFileId && !next.accountText && (cur?.qrFileId || cur?.accountText)) {
      // the lock is held: a sell order placed before it is committed and seen by this (plain) query; one placed
      // after it waits for this transaction and then finds no details
      const open = await getDb().collection(ORDERS).where({ openid: caller.openid, side: 'sell', status: 'open' }).limit(1).get();
      if ((open.data ?? []).length > 0) {
        throw new DomainError('PAYMENT_DETAILS_REQUIRED', '你还有未成交的卖单，买家需要收款方式付款，不能全部清空');
      }
    }
    await writeDoc(tx, PAYMENT, caller.openid, next);
    return next;
  });
  return (await paymentView(saved)) ?? { qrImageUrl: null, accountText: null };
}

/** MarketApi.getPaymentDetails: my own. */
export async function getPaymentDetails(_payload: Record<string, unknown>, caller: Caller): Promise<PaymentDetails> {
  const cur = await readDoc<PaymentSnapshot>(getDb(), PAYMENT, caller.openid);
  return (await paymentView(cur)) ?? { qrImageUrl: null, accountText: null };
}
