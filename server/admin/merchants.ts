/** Admin: merchant applications — the pending list, approval, rejection with a reason (audited). */
import type { MerchantPrivate, Page } from '../../shared/api';
import { approve, pendingMerchants, privateOf, reject } from '../merchants';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, id as idOf, str } from '../validate';
import { requireAdmin } from './params';

export const adminMerchantActions = {
  async pendingMerchants(p: Payload, caller: { openid: string }): Promise<Page<MerchantPrivate>> {
    await requireAdmin(caller.openid);
    return pendingMerchants(cursorOf(p, CURSOR_SHAPES.merchantId));
  },
  async approveMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    return privateOf(await approve(caller.openid, merchantId));
  },
  async rejectMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const reason = str(p, 'reason', { label: '驳回原因', min: 2, max: 200 });
    return privateOf(await reject(caller.openid, merchantId, reason));
  },
};
