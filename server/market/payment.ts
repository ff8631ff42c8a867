/**
 * The seller's payment details: a payment QR image (a cloud-storage file id the mini-program uploaded with
 * wx.cloud.uploadFile, or an https URL) and/or account text (e.g. "支付宝 138****0000 张三").
 * Stored privately in `marketPayment/<openid>`; only the owner reads them here, and the buyer of a trade sees the
 * copy taken when the trade was matched (views.ts), nobody else.
 */
import { DomainError } from '../../shared/errors';
import type { PaymentDetails } from '../../shared/api';
import type { Caller } from '../handler';
import { now } from '../clock';
import { getDb, readDoc, runTx, writeDoc } from '../db';
import { ORDERS, PAYMENT, PaymentSnapshot } from './model';
import { paymentView } from './views';

function parseQr(v: unknown): string | null {
  if (v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > 512 || !/^(cloud:\/\/|https:\/\/)\S+$/.test(v)) {
    throw new DomainError('BAD_PAYMENT_QR', '收款码须为上传到云存储的图片');
  }
  return v;
}

function parseAccount(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string') throw new DomainError('BAD_PAYMENT_ACCOUNT', '收款账号须为文字');
  const s = v.trim();
  if (s.length === 0) return null;
  if (s.length > 200) throw new DomainError('BAD_PAYMENT_ACCOUNT', '收款账号说明不超过 200 字');
  return s;
}

/** MarketApi.setPaymentDetails: a field left out is kept, a null clears it. */
export async function setPaymentDetails(payload: Record<string, unknown>, caller: Caller): Promise<PaymentDetails> {
  const hasQr = Object.prototype.hasOwnProperty.call(payload, 'qrImageUrl') && payload.qrImageUrl !== undefined;
  const hasAcc = Object.prototype.hasOwnProperty.call(payload, 'accountText') && payload.accountText !== undefined;
  const qr = hasQr ? parseQr(payload.qrImageUrl) : undefined;
  const acc = hasAcc ? parseAccount(payload.accountText) : undefined;
  if ((qr === null || acc === null) && (hasQr || hasAcc)) {
    const cur = await readDoc<PaymentSnapshot>(getDb(), PAYMENT, caller.openid);
    const qrAfter = qr !== undefined ? qr : cur?.qrFileId ?? null;
    const accAfter = acc !== undefined ? acc : cur?.accountText ?? null;
    if (!qrAfter && !accAfter) {
      const open = await getDb().collection(ORDERS).where({ openid: caller.openid, side: 'sell', status: 'open' }).limit(1).get();
      if ((open.data ?? []).length > 0) {
        throw new DomainError('PAYMENT_DETAILS_REQUIRED', '你还有未成交的卖单，买家需要收款方式付款，不能全部清空');
      }
    }
  }
  const saved = await runTx(async (tx) => {
    const cur = await readDoc<PaymentSnapshot>(tx, PAYMENT, caller.openid);
    const next: PaymentSnapshot & { openid: string; updatedAt: number } = {
      openid: caller.openid,
      qrFileId: qr !== undefined ? qr : cur?.qrFileId ?? null,
      accountText: acc !== undefined ? acc : cur?.accountText ?? null,
      updatedAt: now(),
    };
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
