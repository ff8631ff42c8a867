/**
 * Admin: merchant applications — the pending list, the sub-merchant check, approval (after the check), and
 * rejection with a reason (audited); suspension and reinstatement of a store, each with a reason (audited, shown to
 * the owner).
 *
 * The check (server/pay.ts probeSubMerchant) asks WeChat Pay whether the applicant's sub-merchant id is bound
 * to this environment: an id that is not would fail every cash order of the store. Approval runs it again and
 * refuses a `not_bound` id (SUB_MCH_NOT_BOUND); `unknown` (no clear answer) does not block, the admin sees it.
 */
import type { MerchantPrivate, Page, SubMchCheck } from '../../shared/api';
import { DomainError } from '../../shared/errors';
import { now } from '../clock';
import { getDb, patchDoc, readDoc } from '../db';
import { approve, MERCHANTS_COLL, MerchantDoc, pendingMerchants, privateOf, reinstate, reject, suspend } from '../merchants';
import { probeSubMerchant } from '../pay';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, id as idOf, str } from '../validate';
import { requireAdmin } from './params';
import { postMessages } from '../messages';

/** Probe the merchant's sub-merchant id and keep the answer on its application. */
async function checkSubMerchant(merchantId: string): Promise<{ m: MerchantDoc; check: SubMchCheck }> {
  const m = await readDoc<MerchantDoc>(getDb(), MERCHANTS_COLL, merchantId);
  if (!m) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
  const check = await probeSubMerchant(m.subMchId, now());
  // a plain patch outside a transaction: the check is advice for the admin, and a concurrent change to the
  // application (a new apply) replaces the whole document, check included
  await patchDoc(getDb(), MERCHANTS_COLL, merchantId, { subMchCheck: check });
  return { m: { ...m, subMchCheck: check }, check };
}

export const adminMerchantActions = {
  async pendingMerchants(p: Payload, caller: { openid: string }): Promise<Page<MerchantPrivate>> {
    await requireAdmin(caller.openid);
    return pendingMerchants(cursorOf(p, CURSOR_SHAPES.merchantId));
  },
  async checkSubMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const { m } = await checkSubMerchant(idOf(p, 'merchantId', '商家'));
    return privateOf(m);
  },
  async approveMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const { m, check } = await checkSubMerchant(merchantId);
    if (m.status === 'pending' && check.status === 'not_bound') {
      throw new DomainError(
        'SUB_MCH_NOT_BOUND',
        `子商户号 ${m.subMchId} 未绑定到本云环境（微信支付答复：${check.detail}）。请商家在微信支付商家助手确认授权、平台在云开发控制台的微信支付配置中绑定后再审核，或驳回申请。`,
      );
    }
    const approved = await approve(caller.openid, merchantId);
    await postMessages([{ openid: approved.ownerOpenid, key: `approval:${approved._id}:${approved.reviewedAt ?? 0}`, kind: 'approval', title: '商家入驻已通过', body: approved.status === 'active' ? `「${approved.name}」已开通，可以接单了` : `「${approved.name}」审核通过，缴纳保证金积分后即可接单`, link: '/merchant-center/index' }]);
    return privateOf(approved);
  },
  async rejectMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const reason = str(p, 'reason', { label: '驳回原因', min: 2, max: 200 });
    const m = await reject(caller.openid, merchantId, reason);
    await postMessages([{ openid: m.ownerOpenid, key: `approval:${m._id}:${m.reviewedAt ?? 0}`, kind: 'approval', title: '商家入驻未通过', body: `「${m.name}」：${reason}`, link: '/merchant-center/index' }]);
    return privateOf(m);
  },
  async suspendMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const reason = str(p, 'reason', { label: '暂停原因', min: 2, max: 200 });
    return privateOf(await suspend(caller.openid, merchantId, reason));
  },
  async reinstateMerchant(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    await requireAdmin(caller.openid);
    const merchantId = idOf(p, 'merchantId', '商家');
    const reason = str(p, 'reason', { label: '恢复原因', min: 2, max: 200 });
    return privateOf(await reinstate(caller.openid, merchantId, reason));
  },
};
