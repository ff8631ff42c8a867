/**
 * Admin: the parameters of SPEC §3 (read; change with an audit record of who, when, old and new value and
 * why), the audit log, and the admin list. Every action checks the caller's role in the database.
 */
import type { AdminApi, AuditRecord, Page } from '../../shared/api';
import { formatYuan } from '../../shared/decimal';
import { DomainError } from '../../shared/errors';
import { PARAM_DISPLAY_LABELS, PARAM_LABELS, PARAM_NAMES, PARAM_UNITS, ParamName, Params, diffParams, formatParamValue, isParamName, validateParamChange } from '../../shared/params';
import { now } from '../clock';
import { ADMINS_COLL, AdminDoc, CONFIG_COLL, PARAMS_ID, ParamsDoc, envAdminOpenids, getParamsDoc, isAdmin } from '../config';
import { AnyDoc, Tx, getDb, newDocId, readAll, readDoc, runTx, writeDoc } from '../db';
import { findUserByNo, getUser } from '../users';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, optStr, str } from '../validate';

export const AUDIT_COLL = 'audit';

/** Parameters that define the fixed supply: they entered the ledger at genesis and cannot change after. */
export const LOCKED_PARAMS = ['releaseTotal', 'treasuryReserve'] as const;

export async function requireAdmin(openid: string, tx?: Tx): Promise<void> {
  if (!(await isAdmin(openid, tx))) throw new DomainError('FORBIDDEN', '仅管理员可以操作');
}

/** Write an audit record inside a transaction. */
export async function writeAudit(tx: Tx, rec: { by: string; what: string; old: unknown; new: unknown; reason: string | null; ref?: string }): Promise<string> {
  const at = now();
  const id = await newDocId(tx, AUDIT_COLL, 'A', at);
  await writeDoc(tx, AUDIT_COLL, id, { ...rec, at, old: rec.old ?? null, new: rec.new ?? null });
  return id;
}

function paramsOut(p: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of PARAM_NAMES) out[n] = p[n];
  return out;
}

export async function readParams(): Promise<AdminApi['params']['res']> {
  const doc = await getParamsDoc();
  const display: Record<string, string> = {};
  for (const n of PARAM_NAMES) display[n] = formatParamValue(n, doc.params[n]);
  return { params: paramsOut(doc.params), labels: { ...PARAM_DISPLAY_LABELS }, units: { ...PARAM_UNITS }, display, locked: [...LOCKED_PARAMS] };
}

export async function setParam(adminOpenid: string, name: unknown, value: unknown, reason: string | null): Promise<{ params: Record<string, unknown> }> {
  if (!isParamName(name)) throw new DomainError('INVALID_PARAMS', `未知参数 ${String(name)}`);
  if ((LOCKED_PARAMS as readonly string[]).includes(name)) {
    throw new DomainError('PARAM_LOCKED', `${PARAM_LABELS[name]}在上线时已写入积分账本（固定总量），不能修改`);
  }
  const next = await runTx(async (tx) => {
    await requireAdmin(adminOpenid, tx);
    const cur = await readDoc<ParamsDoc>(tx, CONFIG_COLL, PARAMS_ID);
    const doc = cur?.params ? cur : await getParamsDoc(tx);
    const updated = validateParamChange(doc.params, name, value);
    const diff = diffParams(doc.params, updated);
    if (diff.length === 0) return doc.params; // the same value again: nothing to change or audit
    // every change says why: the reason is kept in the audit beside old → new
    if (!reason || reason.trim().length < 2) throw new DomainError('REASON_REQUIRED', `请填写修改${PARAM_DISPLAY_LABELS[name]}的原因（至少 2 个字），会记入审计`);
    const at = now();
    await writeDoc(tx, CONFIG_COLL, PARAMS_ID, { params: updated, version: (doc.version ?? 0) + 1, updatedAt: at, updatedBy: adminOpenid });
    for (const d of diff) {
      await writeAudit(tx, { by: adminOpenid, what: `param:${d.name}`, old: d.from, new: d.to, reason });
    }
    return updated;
  });
  return { params: paramsOut(next) };
}

export async function auditPage(cur: string | null): Promise<Page<AuditRecord>> {
  const db = getDb();
  const _ = db.command;
  let where: AnyDoc = {};
  if (cur) {
    const m = /^(\d+)\|(.+)$/.exec(cur);
    if (!m) throw new DomainError('BAD_CURSOR', '翻页参数无效');
    const at = Number(m[1]);
    where = _.or([{ at: _.lt(at) }, { at, _id: _.lt(m[2]) }]);
  }
  const res = await db.collection(AUDIT_COLL).where(where).orderBy('at', 'desc').orderBy('_id', 'desc').limit(21).get();
  const list = (res.data ?? []) as AnyDoc[];
  const page = list.slice(0, 20);
  const last = page[page.length - 1];
  const people = new Map<string, { userNo: string; nickname: string }>();
  for (const by of new Set(page.map((r) => String(r.by ?? '')))) {
    const u = by ? await getUser(by) : null;
    if (u) people.set(by, { userNo: u.userNo, nickname: u.nickname });
  }
  return {
    items: page.map((r) => {
      const who = people.get(String(r.by ?? ''));
      const old = publicValue(r.old ?? null);
      const nu = publicValue(r.new ?? null);
      return {
        id: r._id,
        by: who?.userNo ?? (r.by === 'system' || !r.by ? '系统' : '—'),
        byName: who?.nickname ?? '',
        at: r.at,
        what: r.what,
        whatText: auditWhatText(String(r.what)),
        old,
        new: nu,
        change: auditChangeText(String(r.what), old, nu),
        reason: r.reason ?? null,
      };
    }),
    nextCursor: list.length > 20 && last ? `${last.at}|${last._id}` : null,
  };
}

/** An audit value as an admin may see it: openids inside it are dropped (the user number stays). */
function publicValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k !== 'openid' && k !== 'by' && !/openid/i.test(k)) out[k] = x;
    return out;
  }
  return v;
}

const AUDIT_WHAT: Record<string, string> = {
  'admin:add': '添加管理员',
  'admin:remove': '移除管理员',
  'merchant:approve': '通过商家入驻',
  'merchant:reject': '驳回商家入驻',
  'merchant:suspend': '暂停商家接单',
  'merchant:reinstate': '恢复商家营业',
  'home:banners': '设置首页横幅',
  'market.appeal.release': '申诉裁决：放行给买家',
  'market.appeal.return': '申诉裁决：退回卖家',
  'release:now': '手动补发每日释放',
  guidePrice: '手动调整指导价',
};

const STATUS_WORDS: Record<string, string> = {
  pending: '审核中', rejected: '已驳回', approved: '已通过', active: '营业中', suspended: '已暂停',
  paid: '已付款', appealed: '申诉中', completed: '已完成', cancelled: '已取消',
};

/** The audit's action in Chinese ("param:marketFeeRate" → "修改参数：C2C交易手续费率"). */
export function auditWhatText(what: string): string {
  if (what.startsWith('param:')) {
    const n = what.slice(6);
    return isParamName(n) ? `修改参数：${PARAM_DISPLAY_LABELS[n]}` : `修改参数：${n}`;
  }
  return AUDIT_WHAT[what] ?? what;
}

/** old → new in words: parameter values with their unit, prices in yuan, statuses in Chinese. */
export function auditChangeText(what: string, old: unknown, nu: unknown): string {
  const words = (v: unknown): string => {
    if (v === null || v === undefined) return '—';
    if (what.startsWith('param:') && isParamName(what.slice(6))) return formatParamValue(what.slice(6) as ParamName, v);
    if (what === 'guidePrice' && typeof v === 'number') return `${formatYuan(v)} / 积分`;
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.userNo === 'string') return `用户号 ${o.userNo}`;
      if (typeof o.status === 'string') return STATUS_WORDS[o.status] ?? o.status;
      return Object.entries(o).map(([k, x]) => `${k}: ${String(x)}`).join('，');
    }
    return String(v);
  };
  if (old === null && nu === null) return '';
  return `${words(old)} → ${words(nu)}`;
}

export async function listAdmins(): Promise<{ items: { openid: string; userNo: string; nickname: string }[] }> {
  const list = await readAll<AdminDoc & { _id: string }>(getDb().collection(ADMINS_COLL).orderBy('at', 'asc'));
  const items = await Promise.all(
    list.map(async (a) => {
      const u = await getUser(a._id);
      return { openid: a._id, userNo: u?.userNo ?? '', nickname: u?.nickname ?? '' };
    }),
  );
  return { items };
}

export async function addAdmin(adminOpenid: string, userNo: string): Promise<{ ok: true }> {
  const u = await findUserByNo(userNo);
  if (!u) throw new DomainError('USER_NOT_FOUND', `没有编号为 ${userNo} 的用户`);
  await runTx(async (tx) => {
    await requireAdmin(adminOpenid, tx);
    if (await readDoc(tx, ADMINS_COLL, u.openid)) return;
    await writeDoc(tx, ADMINS_COLL, u.openid, { openid: u.openid, addedBy: adminOpenid, at: now() });
    await writeAudit(tx, { by: adminOpenid, what: 'admin:add', old: null, new: { openid: u.openid, userNo }, reason: null, ref: u.openid });
  });
  return { ok: true };
}

export async function removeAdmin(adminOpenid: string, userNo: string): Promise<{ ok: true }> {
  const u = await findUserByNo(userNo);
  if (!u) throw new DomainError('USER_NOT_FOUND', `没有编号为 ${userNo} 的用户`);
  if (envAdminOpenids().includes(u.openid)) throw new DomainError('ADMIN_LOCKED', '该管理员由部署配置（ADMIN_OPENIDS）指定，不能在此移除');
  if (u.openid === adminOpenid) throw new DomainError('INVALID_INPUT', '不能移除自己的管理员身份');
  await runTx(async (tx) => {
    await requireAdmin(adminOpenid, tx);
    const doc = await readDoc<AdminDoc>(tx, ADMINS_COLL, u.openid);
    if (!doc) throw new DomainError('NOT_ADMIN', '该用户不是管理员');
    if (doc.bootstrap) throw new DomainError('ADMIN_LOCKED', '该管理员由部署配置指定，不能在此移除');
    await tx.collection(ADMINS_COLL).doc(u.openid).remove();
    await writeAudit(tx, { by: adminOpenid, what: 'admin:remove', old: { openid: u.openid, userNo }, new: null, reason: null, ref: u.openid });
  });
  return { ok: true };
}

const USER_NO = /^\d{4,12}$/;

export const adminParamActions = {
  async params(_p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return readParams();
  },
  async setParam(p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    const name = str(p, 'name', { label: '参数名', max: 40 });
    if (!('value' in p)) throw new DomainError('INVALID_PARAMS', '缺少参数值 value');
    const reason = optStr(p, 'reason', { label: '修改原因', min: 0, max: 200 }) || null;
    return setParam(caller.openid, name, p.value, reason);
  },
  async audit(p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return auditPage(cursorOf(p, CURSOR_SHAPES.auditAt));
  },
  async admins(_p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return listAdmins();
  },
  async addAdmin(p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return addAdmin(caller.openid, str(p, 'userNo', { label: '用户编号', pattern: USER_NO, max: 12 }));
  },
  async removeAdmin(p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return removeAdmin(caller.openid, str(p, 'userNo', { label: '用户编号', pattern: USER_NO, max: 12 }));
  },
};
