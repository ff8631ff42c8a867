/**
 * Merchants (SPEC §6): application and review, the deposit bought from the treasury, the catalogue, the
 * public listing, the in-store pay code.
 *
 * Collections: `merchants` (`_id` = `m<ownerUserNo>`: one store per user), `products`, `purchases`
 * (deposit purchases: points reserved from the treasury into `hold:purchase:<id>` at creation, moved to the
 * merchant when WeChat Pay notifies, returned when unpaid after `unpaidOrderMinutes`).
 *
 * Status: pending → approved (admin) → active (holds points worth merchantDepositValueFen at the guide
 * price; checked whenever points arrive) ; pending → rejected (with a reason; may apply again).
 * An active merchant whose balance is below zero stays active but takes no orders (acceptingOrders false).
 */
import type { FulfilmentMode, MerchantApplication, MerchantDetail, MerchantPrivate, MerchantStatus, MerchantSummary, Page, Product, ReleaseStatement, SubMchCheck } from '../shared/api';
import { DEFAULT_STORE_MODES, normalizeModes } from '../shared/fulfilment';
import { Dec, ZERO, toAmountString, formatPointsText, formatYuan } from '../shared/decimal';
import { svShown } from '../shared/release';
import { DomainError } from '../shared/errors';
import { depositPointsNeeded, meetsDeposit } from '../shared/settlement';
import { now } from './clock';
import { getGuidePriceFen, getParams } from './config';
import { AnyDoc, Tx, getCloud, getDb, lockAndRead, patchDoc, readDoc, runTx, writeDoc } from './db';
import { codeDataUrl, miniProgramCode } from './wxacode';
import { balanceIn, ensureAccount, merchantAccount, postEntry, registerLedgerKind, userAvailable } from './ledger';
import { checkRequest } from './requests';
import { writeAudit } from './admin/params';
import { onHolderChanged, readReleaseState, RELEASE_COLL } from './holders';
import { merchantHolderId, pointsNow, settleAndView, settleFirst, userHolderId } from './svView';
import { statementsOf } from './statements';
import { USERS_COLL, requireUser } from './users';
import { CURSOR_SHAPES, Payload, bool, cursor as cursorOf, id as idOf, imageRef, optInt, optStr, points as pointsOf, requestId as requestIdOf, str } from './validate';
import { deleteProduct, productsOf, saveProduct, setOnShelf } from './products';
import { buyDeposit } from './deposit';

export const MERCHANTS_COLL = 'merchants';

export const CATEGORIES = ['餐饮美食', '超市便利', '生鲜果蔬', '服饰鞋包', '美妆个护', '数码家电', '家居日用', '母婴亲子', '休闲娱乐', '生活服务', '其他'] as const;

export const PAY_PAGE = 'pages/pay/index';

export interface MerchantDoc {
  _id: string;
  name: string;
  category: string;
  address: string;
  contact: string;
  licenseImage: string;
  subMchId: string;
  description: string;
  logoUrl: string;
  ownerOpenid: string;
  status: MerchantStatus;
  rejectReason: string | null;
  keywords: string;
  salesFen: number;
  createdAt: number;
  updatedAt: number;
  reviewedAt: number | null;
  reviewedBy: string | null;
  activatedAt: number | null;
  payCode?: { imageUrl: string; fileId: string | null; at: number } | null;
  /** Issue 15: what the store offers for goods; absent = DEFAULT_STORE_MODES (shipping, as before). */
  fulfilmentModes?: FulfilmentMode[];
  /** Set while an admin has suspended the store: why, when, by whom, and the status to go back to. */
  suspension?: { reason: string; at: number; by: string; from: MerchantStatus } | null;
  reinstatement?: { reason: string; at: number; by: string } | null;
  /** The store's unpaid deposit purchase, if any: one at a time (SPEC §6.3). */
  openPurchaseId?: string | null;
  lockSeq?: number;
  /** The last probe of subMchId (server/admin/merchants.ts); dropped when the merchant applies again. */
  subMchCheck?: SubMchCheck | null;
}

export const merchantIdFor = (userNo: string) => `m${userNo}`;

/** The statuses of a store others may see and name (a pending or rejected application is its owner's alone). */
export const STORE_SEEN_STATUSES: readonly MerchantStatus[] = ['approved', 'active', 'suspended'];

/** Whether a store exists for others (orders, its page, a poster, a banner's link). */
export const isSeenStore = (m: Pick<MerchantDoc, 'status'> | null | undefined): m is MerchantDoc => !!m && STORE_SEEN_STATUSES.includes(m.status);

export async function getMerchant(merchantId: string, tx?: Tx): Promise<MerchantDoc | null> {
  return readDoc<MerchantDoc>(tx ?? getDb(), MERCHANTS_COLL, merchantId);
}

export async function requireMerchant(merchantId: string, tx?: Tx): Promise<MerchantDoc> {
  const m = await getMerchant(merchantId, tx);
  if (!m) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
  return m;
}

/** The caller's own store, which must have been approved. */
export async function requireMyMerchant(openid: string, tx?: Tx, statuses: readonly MerchantStatus[] = STORE_SEEN_STATUSES): Promise<MerchantDoc> {
  const u = await requireUser(openid, tx);
  if (!u.merchantId) throw new DomainError('NOT_MERCHANT', '你还没有入驻商家');
  const m = await getMerchant(u.merchantId, tx);
  if (!m || m.ownerOpenid !== openid) throw new DomainError('NOT_MERCHANT', '你还没有入驻商家');
  if (!statuses.includes(m.status)) {
    throw new DomainError('MERCHANT_NOT_APPROVED', m.status === 'pending' ? '商家入驻申请还在审核中' : m.status === 'rejected' ? '商家入驻申请未通过审核' : '商家状态不允许此操作');
  }
  return m;
}

function keywordsOf(m: Pick<MerchantDoc, 'name' | 'category' | 'address' | 'description'>): string {
  return `${m.name} ${m.category} ${m.address} ${m.description}`.toLowerCase();
}

/** Whether an order may be placed now: active and points balance ≥ 0. */
export function acceptsOrders(m: Pick<MerchantDoc, 'status'>, balance: Dec): boolean {
  return m.status === 'active' && balance.gte(0);
}

export function summaryOf(m: MerchantDoc, balance: Dec): MerchantSummary {
  return {
    id: m._id,
    name: m.name,
    category: m.category,
    address: m.address,
    logoUrl: m.logoUrl ?? '',
    status: m.status,
    acceptingOrders: acceptsOrders(m, balance),
    fulfilmentModes: storeModesOf(m),
  };
}

export const storeModesOf = (m: Pick<MerchantDoc, 'fulfilmentModes'>): FulfilmentMode[] => (m.fulfilmentModes?.length ? m.fulfilmentModes : [...DEFAULT_STORE_MODES]);

/** Reads an optional list of fulfilment modes (`fulfilmentModes`); `[]` allowed only when `allowEmpty`. */
export function readModes(p: Payload, name: string, allowEmpty: boolean): FulfilmentMode[] | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (allowEmpty && Array.isArray(v) && v.length === 0) return [];
  const modes = normalizeModes(v);
  if (!modes) throw new DomainError('INVALID_INPUT', '配送方式必须是 delivery / pickup / dinein 中的一种或几种，不能重复');
  return modes;
}

/** A store's points as orders see them: booked + released to it (SPEC §5), read-only. */
async function storePoints(merchantId: string): Promise<Dec> {
  return (await pointsNow(merchantHolderId(merchantId))).points;
}

export async function detailOf(m: MerchantDoc, onShelfOnly = true): Promise<MerchantDetail> {
  const balance = await storePoints(m._id);
  return { ...summaryOf(m, balance), contact: m.contact, description: m.description ?? '', products: await productsOf(m._id, onShelfOnly) };
}

export async function privateOf(m: MerchantDoc): Promise<MerchantPrivate> {
  const [held, guidePriceFen, params] = await Promise.all([pointsNow(merchantHolderId(m._id)), getGuidePriceFen(), getParams()]);
  const balance = held.points;
  const sv = { sharedValue: held.sv };
  const detail = await detailOf(m, false);
  return {
    ...detail,
    acceptingOrders: acceptsOrders(m, balance),
    ownerOpenid: m.ownerOpenid,
    licenseImage: m.licenseImage,
    subMchId: m.subMchId,
    subMchCheck: m.subMchCheck ?? null,
    rejectReason: m.rejectReason ?? null,
    suspension: m.status === 'suspended' && m.suspension ? { reason: m.suspension.reason, at: m.suspension.at } : null,
    reinstatement: m.reinstatement ? { reason: m.reinstatement.reason, at: m.reinstatement.at } : null,
    pointsBalance: toAmountString(balance),
    depositValueFen: params.merchantDepositValueFen,
    depositPointsNeeded: toAmountString(depositPointsNeeded({ depositValueFen: params.merchantDepositValueFen, guidePriceFen, heldPoints: balance.toFixed(2) })),
    sharedValue: svShown(sv.sharedValue),
    salesFen: m.salesFen ?? 0,
    createdAt: m.createdAt,
  };
}

/**
 * Inside a transaction that changed a merchant's points: an approved merchant becomes active once it
 * holds the deposit value at the guide price of that moment. Returns the status written.
 */
export async function maybeActivate(tx: Tx, merchantId: string): Promise<MerchantStatus | null> {
  // A store only ever leaves 'approved' (to active, or suspended), so any other status needs nothing, and the
  // common case (an active store) takes no lock. An approved one is locked, then read again, and its balance is
  // read under its account's lock (balanceIn): CloudBase does not re-check plain reads at commit.
  const seen = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
  if (!seen || seen.status !== 'approved') return seen?.status ?? null;
  const m = await lockAndRead<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
  if (!m || m.status !== 'approved') return m?.status ?? null;
  const [params, guidePriceFen, balance] = await Promise.all([getParams(tx), getGuidePriceFen(tx), balanceIn(tx, merchantAccount(merchantId))]);
  if (!meetsDeposit({ depositValueFen: params.merchantDepositValueFen, guidePriceFen, heldPoints: balance.toFixed(2) })) return m.status;
  const at = now();
  await writeDoc(tx, MERCHANTS_COLL, merchantId, { ...m, status: 'active', activatedAt: at, updatedAt: at });
  return 'active';
}

// points a release gave an approved store may bring it to its deposit: it activates when they are booked
onHolderChanged('merchant', async (tx, merchantId) => {
  await maybeActivate(tx, merchantId);
});

/** Where the activation sweep stands (`release/activationSweep`): the release day it sweeps after, and its cursor. */
const SWEEP = { coll: RELEASE_COLL, id: 'activationSweep' } as const;

/**
 * Every-minute job (cloudfunctions/timeouts): after each release, approved stores whose released points would
 * bring them to the deposit are settled (which activates them), so they need not wait for their first order or
 * for their owner to look. Bounded: `limit` stores a run, continued from a cursor; nothing once a release's
 * sweep is done. Only stores with claimable points are written.
 */
export async function activateFundedStores(limit = 50): Promise<{ checked: number; activated: string[] }> {
  const state = await readReleaseState(getDb());
  const day = state?.lastReleasedDay ?? null;
  if (!day) return { checked: 0, activated: [] };
  const mark = await readDoc<{ day: string; cursor: string | null }>(getDb(), SWEEP.coll, SWEEP.id);
  if (mark?.day === day && mark.cursor === null) return { checked: 0, activated: [] };
  const cursor = mark?.day === day ? mark.cursor ?? '' : '';
  const db = getDb();
  const res = await db.collection(MERCHANTS_COLL).where({ status: 'approved', _id: db.command.gt(cursor) }).orderBy('_id', 'asc').limit(limit).get();
  const list = (res.data ?? []) as MerchantDoc[];
  const activated: string[] = [];
  for (const m of list) {
    if ((await pointsNow(merchantHolderId(m._id))).claimable.isZero()) continue;
    const status = await runTx(async (tx) => {
      await settleFirst(tx, merchantHolderId(m._id));
      return (await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, m._id))?.status;
    });
    if (status === 'active') activated.push(m._id);
  }
  await writeDoc(db, SWEEP.coll, SWEEP.id, { day, cursor: list.length < limit ? null : list[list.length - 1]._id, at: now() });
  return { checked: list.length, activated };
}

// ---------------------------------------------------------------- application

const SUB_MCH_ID = /^\d{8,12}$/;

function readApplication(p: Payload): MerchantApplication {
  const category = str(p, 'category', { label: '经营类目', max: 20 });
  if (!(CATEGORIES as readonly string[]).includes(category)) throw new DomainError('INVALID_INPUT', `经营类目必须是：${CATEGORIES.join('、')}`);
  return {
    name: str(p, 'name', { label: '店铺名称', min: 2, max: 30 }),
    category,
    address: str(p, 'address', { label: '地址', min: 4, max: 100 }),
    contact: str(p, 'contact', { label: '联系方式', min: 5, max: 40 }),
    licenseImage: imageRef(p, 'licenseImage', '营业执照照片'),
    subMchId: str(p, 'subMchId', { label: '微信支付子商户号', pattern: SUB_MCH_ID, max: 12 }),
    description: optStr(p, 'description', { label: '店铺介绍', max: 500 }) ?? '',
  };
}

export async function apply(openid: string, p: Payload): Promise<MerchantPrivate> {
  const requestId = requestIdOf(p);
  const app = readApplication(p);
  const logoUrl = imageRef(p, 'logoUrl', '店铺头像', false);
  const merchantId = await runTx(async (tx) => {
    const req = await checkRequest<{ merchantId: string }>(tx, 'merchant.apply', openid, requestId, p);
    if (req.replay) return req.result.merchantId;
    const u = await requireUser(openid, tx);
    const id = u.merchantId ?? merchantIdFor(u.userNo);
    const existing = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, id);
    if (existing && existing.status !== 'rejected') {
      throw new DomainError('ALREADY_APPLIED', existing.status === 'pending' ? '你的入驻申请正在审核中' : '你已经是商家了');
    }
    const at = now();
    const doc: MerchantDoc = {
      _id: id,
      ...app,
      description: app.description ?? '',
      logoUrl,
      ownerOpenid: openid,
      status: 'pending',
      rejectReason: null,
      keywords: keywordsOf({ ...app, description: app.description ?? '' }),
      salesFen: existing?.salesFen ?? 0,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      reviewedAt: null,
      reviewedBy: null,
      activatedAt: null,
      payCode: null,
    };
    await writeDoc(tx, MERCHANTS_COLL, id, doc);
    if (!u.merchantId) await writeDoc(tx, USERS_COLL, openid, { ...u, merchantId: id, updatedAt: at });
    await req.record({ merchantId: id });
    return id;
  });
  return privateOf(await requireMerchant(merchantId));
}

/** Admin: approve a pending application (creates the merchant's points account). */
export async function approve(adminOpenid: string, merchantId: string): Promise<MerchantDoc> {
  return runTx(async (tx) => {
    const m = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
    if (!m) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
    if (m.status !== 'pending') throw new DomainError('INVALID_STATE', `该商家当前状态为 ${m.status}，不能审核通过`);
    const at = now();
    await ensureAccount(tx, merchantAccount(merchantId), m.ownerOpenid);
    const next: MerchantDoc = { ...m, status: 'approved', rejectReason: null, reviewedAt: at, reviewedBy: adminOpenid, updatedAt: at };
    await writeDoc(tx, MERCHANTS_COLL, merchantId, next);
    const status = await maybeActivate(tx, merchantId);
    await writeAudit(tx, { by: adminOpenid, what: 'merchant:approve', old: { status: 'pending' }, new: { status: status ?? next.status }, reason: null, ref: merchantId });
    return { ...next, status: status ?? next.status };
  });
}

/**
 * Admin: suspend a store (SPEC §6.5): no new orders (MERCHANT_SUSPENDED) and off the listing; its open orders go
 * on (payment, shipping, confirmation, refunds), and the owner keeps managing the store. Audited, with the reason
 * shown to the owner. From approved or active only.
 */
export async function suspend(adminOpenid: string, merchantId: string, reason: string): Promise<MerchantDoc> {
  return runTx(async (tx) => {
    const m = await lockAndRead<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
    if (!m) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
    if (m.status !== 'approved' && m.status !== 'active') throw new DomainError('INVALID_STATE', m.status === 'suspended' ? '该商家已被暂停' : `该商家当前状态为 ${m.status}，不能暂停`);
    const at = now();
    const next: MerchantDoc = { ...m, status: 'suspended', suspension: { reason, at, by: adminOpenid, from: m.status }, updatedAt: at };
    await writeDoc(tx, MERCHANTS_COLL, merchantId, next);
    await writeAudit(tx, { by: adminOpenid, what: 'merchant:suspend', old: { status: m.status }, new: { status: 'suspended' }, reason, ref: merchantId });
    return next;
  });
}

/** Admin: lift a suspension, back to the status it had (an approved store holding its deposit becomes active). */
export async function reinstate(adminOpenid: string, merchantId: string, reason: string): Promise<MerchantDoc> {
  return runTx(async (tx) => {
    const m = await lockAndRead<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
    if (!m) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
    if (m.status !== 'suspended') throw new DomainError('INVALID_STATE', `该商家当前状态为 ${m.status}，没有被暂停`);
    const at = now();
    const back: MerchantStatus = m.suspension?.from === 'approved' ? 'approved' : 'active';
    const next: MerchantDoc = { ...m, status: back, suspension: null, reinstatement: { reason, at, by: adminOpenid }, updatedAt: at };
    await writeDoc(tx, MERCHANTS_COLL, merchantId, next);
    const status = back === 'approved' ? (await maybeActivate(tx, merchantId)) ?? back : back;
    await writeAudit(tx, { by: adminOpenid, what: 'merchant:reinstate', old: { status: 'suspended' }, new: { status }, reason, ref: merchantId });
    return { ...next, status };
  });
}

export async function reject(adminOpenid: string, merchantId: string, reason: string): Promise<MerchantDoc> {
  return runTx(async (tx) => {
    const m = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
    if (!m) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
    if (m.status !== 'pending') throw new DomainError('INVALID_STATE', `该商家当前状态为 ${m.status}，不能驳回`);
    const at = now();
    const next: MerchantDoc = { ...m, status: 'rejected', rejectReason: reason, reviewedAt: at, reviewedBy: adminOpenid, updatedAt: at };
    await writeDoc(tx, MERCHANTS_COLL, merchantId, next);
    await writeAudit(tx, { by: adminOpenid, what: 'merchant:reject', old: { status: 'pending' }, new: { status: 'rejected' }, reason, ref: merchantId });
    return next;
  });
}

export async function pendingMerchants(cur: string | null): Promise<Page<MerchantPrivate>> {
  const db = getDb();
  const _ = db.command;
  const where: AnyDoc = { status: 'pending' };
  if (cur) where._id = _.gt(cur);
  const res = await db.collection(MERCHANTS_COLL).where(where).orderBy('_id', 'asc').limit(21).get();
  const list = (res.data ?? []) as MerchantDoc[];
  const items = await Promise.all(list.slice(0, 20).map(privateOf));
  return { items, nextCursor: list.length > 20 ? list[19]._id : null };
}

// ---------------------------------------------------------------- listing

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function listMerchants(input: { keyword?: string; category?: string; cursor: string | null }): Promise<Page<MerchantSummary>> {
  const db = getDb();
  const _ = db.command;
  const where: AnyDoc = { status: 'active' };
  if (input.category) where.category = input.category;
  if (input.keyword) where.keywords = db.RegExp({ regexp: escapeRegExp(input.keyword.toLowerCase()), options: 'i' });
  if (input.cursor) where._id = _.gt(input.cursor);
  const pageSize = 20;
  const res = await db.collection(MERCHANTS_COLL).where(where).orderBy('_id', 'asc').limit(pageSize + 1).get();
  const list = (res.data ?? []) as MerchantDoc[];
  const page = list.slice(0, pageSize);
  const items = await Promise.all(page.map(async (m) => summaryOf(m, await storePoints(m._id))));
  return { items, nextCursor: list.length > pageSize ? page[page.length - 1]._id : null };
}

// ---------------------------------------------------------------- points between the owner and the store

registerLedgerKind('merchant_fund', '转入店铺积分');
registerLedgerKind('merchant_withdraw', '店铺积分转出');

/**
 * The owner moves points between their own available points and the store's balance: in, to fund the
 * deposit with points bought on the C2C market (SPEC §6.2); out, to use or sell what the store earned
 * (SPEC §6.4), only what is above the deposit requirement at today's guide price.
 */
export async function movePoints(openid: string, p: Payload): Promise<MerchantPrivate> {
  const requestId = requestIdOf(p);
  const direction = p.direction;
  if (direction !== 'toMerchant' && direction !== 'toAvailable') throw new DomainError('INVALID_INPUT', 'direction 必须是 toMerchant 或 toAvailable');
  const pts = pointsOf(p, 'points', { label: '积分', max: '100000000' });
  const merchantId = await runTx(async (tx) => {
    const req = await checkRequest<{ merchantId: string }>(tx, 'merchant.movePoints', openid, requestId, p);
    if (req.replay) return req.result.merchantId;
    const m = await requireMyMerchant(openid, tx);
    const acc = merchantAccount(m._id);
    await ensureAccount(tx, acc, m.ownerOpenid);
    // both balances include their released points before either is checked or debited (SPEC §5)
    await settleFirst(tx, userHolderId(openid));
    await settleFirst(tx, merchantHolderId(m._id));
    const key = `merchant-move:${openid}:${requestId}`;
    if (direction === 'toMerchant') {
      await postEntry(tx, { key, kind: 'merchant_fund', debit: userAvailable(openid), credit: acc, amount: pts, ref: m._id });
      await maybeActivate(tx, m._id);
    } else {
      const [params, guidePriceFen, balance] = await Promise.all([getParams(tx), getGuidePriceFen(tx), balanceIn(tx, acc)]);
      const keep = depositPointsNeeded({ depositValueFen: params.merchantDepositValueFen, guidePriceFen, heldPoints: '0' });
      const free = balance.minus(keep);
      if (free.lt(pts)) {
        throw new DomainError('DEPOSIT_REQUIRED', `店铺需保留价值 ${formatYuan(params.merchantDepositValueFen)} 的保证金积分（${formatPointsText(keep)} 积分），目前最多可转出 ${formatPointsText(free.gt(0) ? free : ZERO)} 积分`);
      }
      await postEntry(tx, { key, kind: 'merchant_withdraw', debit: acc, credit: userAvailable(openid), amount: pts, ref: m._id });
    }
    await req.record({ merchantId: m._id });
    return m._id;
  });
  return privateOf(await requireMerchant(merchantId));
}

// ---------------------------------------------------------------- pay code

export async function payCode(openid: string): Promise<{ page: string; scene: string; imageUrl: string }> {
  const m = await requireMyMerchant(openid);
  const scene = `m=${m._id}`;
  const cloud = getCloud();
  if (m.payCode?.fileId) {
    const urls = await cloud.getTempFileURL({ fileList: [m.payCode.fileId] }).catch(() => null);
    const url = urls?.fileList?.[0]?.tempFileURL;
    if (url) return { page: PAY_PAGE, scene, imageUrl: url };
  }
  const code = await miniProgramCode(scene, PAY_PAGE, new DomainError('PAY_CODE_UNAVAILABLE', '生成收款码失败，请稍后再试'));
  const buffer = code.buffer;
  let imageUrl = '';
  let fileId: string | null = null;
  try {
    const up = await cloud.uploadFile({ cloudPath: `paycode/${m._id}.png`, fileContent: buffer });
    fileId = up?.fileID ?? null;
    if (fileId) {
      const urls = await cloud.getTempFileURL({ fileList: [fileId] });
      imageUrl = urls?.fileList?.[0]?.tempFileURL ?? fileId;
    }
  } catch (e) {
    console.warn('[merchant] pay code upload failed, returning inline image', e);
  }
  if (!imageUrl) imageUrl = codeDataUrl(code);
  if (fileId) {
    await runTx(async (tx) => {
      const cur = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, m._id);
      if (cur) await patchDoc(tx, MERCHANTS_COLL, m._id, { payCode: { imageUrl: fileId, fileId, at: now() } });
    });
  }
  return { page: PAY_PAGE, scene, imageUrl };
}

/** Parse the `scene` of a scanned pay code (or a share link's `mid`). */
export function merchantIdFromScene(scene: string): string | null {
  const m = /(?:^|&)m=([A-Za-z0-9_-]{1,64})(?:&|$)/.exec(decodeURIComponent(scene));
  return m ? m[1] : null;
}

// ---------------------------------------------------------------- actions (cloudfunctions/merchant, the parts not about orders)

export const merchantActions = {
  async categories(): Promise<{ items: string[] }> {
    return { items: [...CATEGORIES] };
  },
  async list(p: Payload): Promise<Page<MerchantSummary>> {
    const keyword = optStr(p, 'keyword', { label: '搜索词', min: 0, max: 30 });
    const category = optStr(p, 'category', { label: '类目', min: 0, max: 20 });
    if (category && !(CATEGORIES as readonly string[]).includes(category)) throw new DomainError('INVALID_INPUT', '没有这个类目');
    return listMerchants({ keyword: keyword || undefined, category: category || undefined, cursor: cursorOf(p, CURSOR_SHAPES.merchantId) });
  },
  async get(p: Payload): Promise<MerchantDetail> {
    const merchantId = idOf(p, 'merchantId', '商家');
    const m = await getMerchant(merchantId);
    if (!isSeenStore(m)) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
    return detailOf(m, true);
  },
  async apply(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    return apply(caller.openid, p);
  },
  async mine(_p: Payload, caller: { openid: string }): Promise<MerchantPrivate | null> {
    const u = await requireUser(caller.openid);
    if (!u.merchantId) return null;
    const m = await getMerchant(u.merchantId);
    if (!m || m.ownerOpenid !== caller.openid) return null;
    if (m.status === 'pending' || m.status === 'rejected') return privateOf(m);
    await settleAndView(merchantHolderId(m._id)); // may have activated it
    return privateOf((await getMerchant(m._id)) ?? m);
  },
  async buyDeposit(p: Payload, caller: { openid: string }) {
    return buyDeposit(caller.openid, p);
  },
  async saveProduct(p: Payload, caller: { openid: string }): Promise<Product> {
    return saveProduct(caller.openid, p);
  },
  async setOnShelf(p: Payload, caller: { openid: string }): Promise<Product> {
    return setOnShelf(caller.openid, idOf(p, 'productId', '商品'), bool(p, 'onShelf', '上架状态'));
  },
  async products(_p: Payload, caller: { openid: string }): Promise<{ items: Product[] }> {
    const m = await requireMyMerchant(caller.openid, undefined, ['pending', 'approved', 'active', 'suspended', 'rejected']);
    return { items: await productsOf(m._id, false) };
  },
  async payCode(_p: Payload, caller: { openid: string }) {
    return payCode(caller.openid);
  },
  async movePoints(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    return movePoints(caller.openid, p);
  },
  /** The owner's store's release statement, day by day (SPEC §5), the same as a user's. */
  async statements(p: Payload, caller: { openid: string }): Promise<{ items: ReleaseStatement[] }> {
    const m = await requireMyMerchant(caller.openid);
    const days = optInt(p, 'days', { min: 1, max: 100, label: '天数' }) ?? 30;
    return { items: await statementsOf(merchantHolderId(m._id), days) };
  },
  async deleteProduct(p: Payload, caller: { openid: string }): Promise<{ ok: true }> {
    return deleteProduct(caller.openid, idOf(p, 'productId', '商品'));
  },
  /** Issue 15: the fulfilment modes the store offers (a state change: repeating it changes nothing). */
  async setFulfilment(p: Payload, caller: { openid: string }): Promise<MerchantPrivate> {
    const modes = readModes(p, 'modes', false);
    if (!modes) throw new DomainError('INVALID_INPUT', '请选择至少一种配送方式');
    const m = await runTx(async (tx) => {
      const cur = await requireMyMerchant(caller.openid, tx);
      const next: MerchantDoc = { ...cur, fulfilmentModes: modes, updatedAt: now() };
      await patchDoc(tx, MERCHANTS_COLL, cur._id, { fulfilmentModes: modes, updatedAt: next.updatedAt });
      return next;
    });
    return privateOf(m);
  },
};
