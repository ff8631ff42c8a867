/** Admin: merchant applications — the pending list, approval, rejection with a reason (audited). */
import type { MerchantPrivate, Page } from '../../shared/api';
import { approve, pendingMerchants, privateOf, reject } from '../merchants';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, id as idOf, str } from '../validate';
import { requireAdmin } from './params';
import { postMessages } from '../messages';

export const adminMerchantActions = {
  async pendingMerchants(p: Payload, caller: { openid: string }): Promise<Page<MerchantPrivate>> {
    await requireAdmin(caller.openid);
    return pendingMerchants(cursorOf(p, CURSOR_SHAPES.merchantId));
  },
  async approveMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const m = await approve(caller.openid, merchantId);
    await postMessages([{ openid: m.ownerOpenid, key: `approval:${m._id}:${m.reviewedAt ?? 0}`, kind: 'approval', title: '商家入驻已通过', body: m.status === 'active' ? `「${m.name}」已开通，可以接单了` : `「${m.name}」审核通过，缴纳保证金积分后即可接单`, link: '/merchant-center/index' }]);
    return privateOf(m);
  },
  async rejectMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const reason = str(p, 'reason', { label: '驳回原因', min: 2, max: 200 });
    const m = await reject(caller.openid, merchantId, reason);
    await postMessages([{ openid: m.ownerOpenid, key: `approval:${m._id}:${m.reviewedAt ?? 0}`, kind: 'approval', title: '商家入驻未通过', body: `「${m.name}」：${reason}`, link: '/merchant-center/index' }]);
    return privateOf(m);
  },
};
