/**
 * Admin: the parameters of SPEC §3 (read; change with an audit record of who, when, old and new value and
 * why), the audit log, and the admin list. Every action checks the caller's role in the database.
 */
import type { AuditRecord, Page } from '../../shared/api';
import { DomainError } from '../../shared/errors';
import { PARAM_LABELS, PARAM_NAMES, Params, diffParams, isParamName, validateParamChange } from '../../shared/params';
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

export async function readParams(): Promise<{ params: Record<string, unknown>; labels: Record<string, string> }> {
  const doc = await getParamsDoc();
  return { params: paramsOut(doc.params), labels: { ...PARAM_LABELS } };
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
  return {
    items: page.map((r) => ({ id: r._id, by: r.by, at: r.at, what: r.what, old: r.old ?? null, new: r.new ?? null, reason: r.reason ?? null })),
    nextCursor: list.length > 20 && last ? `${last.at}|${last._id}` : null,
  };
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
