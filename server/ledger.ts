/**
 * The points ledger (DESIGN "Points ledger"; docs/architecture.md).
 *
 * - Accounts, collection `accounts`, `_id` = account id: `{ _id, kind, owner, balance: "0.00", seq, createdAt, updatedAt }`.
 *   `seq` grows by one on every write of the account (a posting, or a `touchAccount`), so the order of
 *   everything that happened to one account can be replayed.
 * - Entries, collection `ledger`, `_id` = the idempotency key, immutable:
 *   `{ _id, kind, debit, credit, amount, at, ref, owners, debitAfter, creditAfter, debitSeq, creditSeq }`.
 *   The debit account loses `amount`, the credit account gains it, in the same transaction.
 * - `genesis` is the one account outside the books: the supply (releaseTotal + treasuryReserve) enters
 *   the books from it, once, by `ensureGenesis`. So Σ balances = Σ genesis entries at every moment.
 */
import { createHash } from 'crypto';
import Decimal from 'decimal.js';
import { dec } from '../shared/decimal';
import { DomainError } from '../shared/errors';
import { now } from './clock';
import { AnyDoc, Tx, createDoc, getDb, readAll, readDoc, runTx, writeDoc } from './db';

export type Dec = Decimal;

export const ACCOUNTS_COLL = 'accounts';
export const LEDGER_COLL = 'ledger';
export const GENESIS = 'genesis';
export const TREASURY = 'treasury';
export const RELEASE_POOL = 'release:pool';
/**
 * The release pool is sharded (issue 12 §2: no document written by every claim): each day's release is credited
 * to `release:pool`; a holder's claim (server/holders.ts) is debited from `release:pool:<k>`, k from the holder id.
 * A claim shard goes below zero by what its holders claimed; the pool is the sum of `release:pool` and every
 * shard, which is never below zero (verifyLedger checks it). Sum them with `releasePoolTotal`.
 */
export const RELEASE_POOL_SHARDS = 16;
export const releasePoolShard = (k: number): string => `${RELEASE_POOL}:${k}`;
export const isReleasePoolAccount = (id: string): boolean => id === RELEASE_POOL || id.startsWith(`${RELEASE_POOL}:`);
export const RELEASE_UNISSUED = 'release:unissued';

export type AccountKind =
  | 'user_available'
  | 'user_escrow'
  | 'merchant'
  | 'treasury'
  | 'treasury_inbox'
  | 'release_pool'
  | 'release_unissued'
  | 'hold'
  | 'other';

export const userAvailable = (openid: string) => `user:${openid}:available`;
export const userEscrow = (openid: string) => `user:${openid}:escrow`;
export const merchantAccount = (merchantId: string) => `merchant:${merchantId}`;
/**
 * The treasury's inbox for one source of income (`order:<orderId>` for a sale deduction, `trade:<tradeId>` for a
 * market fee). What the platform earns lands here, in a document no other request writes, instead of in
 * `treasury` (which every payment would then lock); `sweepTreasuryInbox` posts it on to `treasury` in batches
 * once it is final. Counted as treasury in SPEC §10.1.
 */
export const TREASURY_INBOX_PREFIX = 'treasury:in:';
export const treasuryInbox = (source: string) => `${TREASURY_INBOX_PREFIX}${source}`;
/** Points a buyer put into an order, held there until the order settles, is cancelled or refunded. */
export const orderHold = (orderId: string) => `hold:order:${orderId}`;

export interface Account {
  _id: string;
  kind: AccountKind;
  owner: string; // openid of the user who owns it ('' for platform accounts)
  balance: string;
  seq: number;
  createdAt: number;
  updatedAt: number;
  [k: string]: unknown;
}

export interface LedgerEntry {
  _id: string;
  kind: string;
  debit: string;
  credit: string;
  amount: string;
  at: number;
  ref: string | null;
  owners: string[];
  debitAfter: string | null;
  creditAfter: string | null;
  debitSeq: number | null;
  creditSeq: number | null;
  memo?: string;
}

export interface PostEntryInput {
  key: string; // idempotency key, becomes the entry's _id
  kind: string;
  debit: string;
  credit: string;
  amount: Decimal.Value;
  ref?: string | null;
  memo?: string;
  /** Only a merchant account may go below zero, and only where this is set (a sale deduction). */
  allowNegative?: boolean;
  /** Owner openid for an account this entry creates (merchant accounts, holds). */
  owners?: Record<string, string>;
  /**
   * The caller knows no entry has this key (the state it locked says so, e.g. an unpaid order): the read that
   * looks for a duplicate is skipped. Still safe if it is wrong: the entry is created with `add`, which fails on
   * an existing key, and the transaction runs again.
   */
  knownNew?: boolean;
  /**
   * The caller knows the credit account does not exist yet (an account of this entry's own source, such as a new
   * order's hold or an order's treasury inbox, which only this entry creates): it is neither locked nor read, but
   * created with `add` — which fails if it exists after all, and the transaction runs again. One round trip less.
   */
  creditNew?: boolean;
  /** The credit is a treasury inbox whose income is final (no refund can take it back): the sweep may post it. */
  creditDue?: boolean;
}

/** What the kind of an account id is. */
export function accountKindOf(id: string): AccountKind {
  if (id === TREASURY) return 'treasury';
  if (id.startsWith(TREASURY_INBOX_PREFIX)) return 'treasury_inbox';
  if (isReleasePoolAccount(id)) return 'release_pool';
  if (id === RELEASE_UNISSUED) return 'release_unissued';
  if (id.startsWith('user:') && id.endsWith(':available')) return 'user_available';
  if (id.startsWith('user:') && id.endsWith(':escrow')) return 'user_escrow';
  if (id.startsWith('merchant:')) return 'merchant';
  if (id.startsWith('hold:')) return 'hold';
  return 'other';
}

function ownerFromId(id: string): string {
  const m = /^user:(.+):(available|escrow)$/.exec(id);
  return m ? m[1] : '';
}

/**
 * Per-transaction state. A transaction sees its own writes even if the database would not show them; and it
 * remembers which accounts it has locked (see `lockAccount`): a locked account's cached copy is current until
 * the commit, since nobody else can write it meanwhile.
 */
interface TxState {
  docs: Map<string, AnyDoc | null>;
  /** account id → whether the lock's seq increment is still unused by a write of this transaction */
  locked: Map<string, { banked: boolean }>;
  /** locks on their way (two postings of one transaction may go out together and name the same account) */
  pending: Map<string, Promise<Account | null>>;
}
const txStates = new WeakMap<object, TxState>();
function stateOf(tx: Tx): TxState {
  let s = txStates.get(tx);
  if (!s) {
    s = { docs: new Map(), locked: new Map(), pending: new Map() };
    txStates.set(tx, s);
  }
  return s;
}

async function txRead(tx: Tx, coll: string, id: string): Promise<AnyDoc | null> {
  const cache = stateOf(tx).docs;
  const k = `${coll}/${id}`;
  if (cache.has(k)) return cache.get(k) ?? null;
  const doc = await readDoc(tx, coll, id);
  cache.set(k, doc);
  return doc;
}

/** Write, remembering it at once (before the round trip): a posting going out alongside sees it. */
async function txWrite(tx: Tx, coll: string, id: string, data: AnyDoc): Promise<void> {
  stateOf(tx).docs.set(`${coll}/${id}`, { ...data, _id: id });
  await writeDoc(tx, coll, id, data);
}

/**
 * Create a document that must not exist yet (`createDoc`: `add` with its id, a concurrent creation makes the
 * transaction run again), and remember it.
 */
async function txCreate(tx: Tx, coll: string, id: string, data: AnyDoc): Promise<void> {
  stateOf(tx).docs.set(`${coll}/${id}`, { ...data, _id: id });
  await createDoc(tx, coll, id, data);
}

export function isPointsAmount(v: Decimal): boolean {
  return v.isFinite() && v.decimalPlaces() <= 2;
}

function fmt(v: Decimal): string {
  return v.toFixed(2);
}

function newAccount(id: string, owner: string, at: number): Account {
  return { _id: id, kind: accountKindOf(id), owner, balance: '0.00', seq: 0, createdAt: at, updatedAt: at };
}

/**
 * Lock, then read (DESIGN "Rules for running at the platform's scale", 2). CloudBase does not check at commit
 * that what a transaction read is still current, so reading a balance and then writing it could lose another
 * transaction's update, or let two withdrawals both pass a check. So an account is first *written* — `seq`
 * incremented, which takes the document's lock: another transaction's write now fails at once, and a write
 * committed before it is already there — and only then read. What is read stays current until this
 * transaction commits. Returns null for an account that does not exist (the update found nothing, so nothing is
 * locked; it is then created with `add`, which fails if someone else created it meanwhile).
 *
 * The increment is the account's next `seq`: the write that follows in this transaction uses it rather than
 * adding another (`takeSeq`), so one posting still moves `seq` by one.
 */
export async function lockAccount(tx: Tx, id: string): Promise<Account | null> {
  const st = stateOf(tx);
  const k = `${ACCOUNTS_COLL}/${id}`;
  if (st.locked.has(id)) return (st.docs.get(k) ?? null) as Account | null;
  const inFlight = st.pending.get(id);
  if (inFlight) return inFlight;
  const p = (async () => {
    const res = (await tx.collection(ACCOUNTS_COLL).doc(id).update({ data: { seq: getDb().command.inc(1) } })) as { stats?: { updated?: number } } | undefined;
    const found = (res?.stats?.updated ?? 0) > 0;
    const acc = found ? ((await readDoc(tx, ACCOUNTS_COLL, id)) as Account | null) : null;
    st.docs.set(k, acc);
    st.locked.set(id, { banked: !!acc });
    return acc;
  })();
  st.pending.set(id, p);
  try {
    return await p;
  } finally {
    st.pending.delete(id);
  }
}

/** The seq the next write of a locked account carries (the lock's increment, once; then one more each). */
function takeSeq(tx: Tx, acc: Account): number {
  const lock = stateOf(tx).locked.get(acc._id);
  if (lock?.banked) {
    lock.banked = false;
    return acc.seq ?? 0;
  }
  return (acc.seq ?? 0) + 1;
}

/** Write a locked account (or create it, if it did not exist). */
async function writeAccount(tx: Tx, existed: boolean, next: Account): Promise<void> {
  if (existed) await txWrite(tx, ACCOUNTS_COLL, next._id, next);
  else await txCreate(tx, ACCOUNTS_COLL, next._id, next);
  const lock = stateOf(tx).locked.get(next._id);
  if (lock) lock.banked = false;
  else stateOf(tx).locked.set(next._id, { banked: false });
}

/**
 * Read an account in a transaction *without* locking it: the balance as last committed. For a check whose
 * moment is the read itself — an order creation refusing a store that is below zero (SPEC §4.2) sees the balance
 * of that moment, and the store's account stays free for its payments: locking it would queue every order of a
 * busy store behind one document. Never for a balance this transaction then changes (use `lockAccount`).
 */
export async function peekAccount(tx: Tx, id: string): Promise<Account | null> {
  return (await txRead(tx, ACCOUNTS_COLL, id)) as Account | null;
}

/** Read an account in a transaction, locked first (null if it has never been written). */
export async function readAccount(tx: Tx, id: string): Promise<Account | null> {
  return lockAccount(tx, id);
}

/** Create an account if it does not exist (e.g. a merchant's at approval, with its owner). */
export async function ensureAccount(tx: Tx, id: string, owner?: string): Promise<Account> {
  const acc = await lockAccount(tx, id);
  if (acc) {
    if (owner && !acc.owner) {
      const next = { ...acc, owner, seq: takeSeq(tx, acc) };
      await writeAccount(tx, true, next);
      return next;
    }
    return acc;
  }
  const fresh = newAccount(id, owner ?? ownerFromId(id), now());
  await writeAccount(tx, false, fresh);
  return fresh;
}

/**
 * Write the account without moving points: its `seq` grows by one. A transaction that must not interleave
 * with postings on this account (an order creation checking the merchant's balance) touches it: the lock is
 * taken before the read, so a concurrent posting waits for (fails against) it, and the balance read is the one
 * in force when this transaction commits. Returns the account as written.
 */
export async function touchAccount(tx: Tx, id: string, owner?: string): Promise<Account> {
  const acc = await lockAccount(tx, id);
  if (!acc) {
    const fresh: Account = { ...newAccount(id, owner ?? ownerFromId(id), now()), seq: 1 };
    await writeAccount(tx, false, fresh);
    return fresh;
  }
  const lock = stateOf(tx).locked.get(id)!;
  if (lock.banked) {
    lock.banked = false; // the lock's increment is the touch
    return acc;
  }
  const next: Account = { ...acc, seq: (acc.seq ?? 0) + 1, updatedAt: now() };
  await writeAccount(tx, true, next);
  return next;
}

/**
 * A treasury inbox carries `open: 1` while it holds points, and `due: 1` while it holds income that is final (its order settled, its trade
 * completed), so the sweep finds it by index; 0 once empty, or while a refund may still take it back.
 */
function withInboxFlag(acc: Account, due?: boolean): Account {
  if (acc.kind !== 'treasury_inbox') return acc;
  const open = dec(acc.balance).gt(0);
  return { ...acc, open: open ? 1 : 0, due: open && (due || acc.due === 1) ? 1 : 0 };
}

/** The income in this inbox became final (e.g. its order settled): let the sweep post it. One write, no read. */
export async function markInboxDue(tx: Tx, source: string): Promise<void> {
  const id = treasuryInbox(source);
  await tx.collection(ACCOUNTS_COLL).doc(id).update({ data: { due: 1 } });
  const st = stateOf(tx);
  const k = `${ACCOUNTS_COLL}/${id}`;
  const cached = st.docs.get(k);
  if (cached) st.docs.set(k, { ...cached, due: 1 });
}

/**
 * Post one immutable entry inside a transaction: debit loses `amount`, credit gains it, both account
 * documents change with it. Returns 'duplicate' (and changes nothing) when an entry with this key exists.
 * Refuses (DomainError INSUFFICIENT_POINTS) to take an account below zero, except a merchant account with
 * `allowNegative`.
 *
 * Both accounts are locked before they are read (`lockAccount`), so the check against zero and the new balance
 * hold whatever commits concurrently; the entry is created with `add`, so the same key posted by two
 * transactions at once makes one of them run again (and find it a duplicate). The independent round trips go
 * out together: three waves (lock, read, write) whatever the accounts.
 */
export async function postEntry(tx: Tx, input: PostEntryInput): Promise<'posted' | 'duplicate'> {
  const { key, kind, debit, credit } = input;
  if (!key || typeof key !== 'string') throw new Error('postEntry: key required');
  if (debit === credit) throw new Error(`postEntry: debit and credit are the same account (${debit})`);
  if (credit === GENESIS) throw new Error('postEntry: nothing goes back to genesis');
  const amount = dec(input.amount);
  if (!isPointsAmount(amount) || amount.lte(0)) throw new Error(`postEntry: bad amount ${String(input.amount)} for ${key}`);
  if (debit === GENESIS && kind !== 'genesis' && kind !== 'supply') throw new Error('postEntry: only genesis/supply entries come from genesis');

  const [existing] = await Promise.all([
    input.knownNew ? Promise.resolve(null) : txRead(tx, LEDGER_COLL, key),
    debit !== GENESIS ? lockAccount(tx, debit) : Promise.resolve(null),
    input.creditNew ? null : lockAccount(tx, credit),
  ]);
  if (existing) return 'duplicate';
  // the accounts as this transaction has them now (another posting going out alongside may have moved one):
  // from here to the writes nothing awaits, so no other posting of this transaction interleaves
  const cached = (id: string) => (stateOf(tx).docs.get(`${ACCOUNTS_COLL}/${id}`) ?? null) as Account | null;
  const dacc = debit !== GENESIS ? cached(debit) : null;
  const cacc = input.creditNew ? null : cached(credit);

  const at = now();
  const owners = new Set<string>();
  const writes: Promise<void>[] = [];
  let debitAfter: string | null = null;
  let debitSeq: number | null = null;
  if (debit !== GENESIS) {
    const acc = dacc ?? newAccount(debit, input.owners?.[debit] ?? ownerFromId(debit), at);
    const after = dec(acc.balance).minus(amount);
    if (after.lt(0) && !(input.allowNegative && (acc.kind === 'merchant' || acc.kind === 'release_pool'))) {
      throw new DomainError('INSUFFICIENT_POINTS', '积分余额不足');
    }
    const next = withInboxFlag({ ...acc, balance: fmt(after), seq: takeSeq(tx, acc), updatedAt: at });
    writes.push(writeAccount(tx, !!dacc, next));
    debitAfter = next.balance;
    debitSeq = next.seq;
    if (next.owner && (next.kind === 'user_available' || next.kind === 'user_escrow' || next.kind === 'merchant')) owners.add(next.owner);
  }
  const cbase = cacc ?? newAccount(credit, input.owners?.[credit] ?? ownerFromId(credit), at);
  const cnext = withInboxFlag({ ...cbase, balance: fmt(dec(cbase.balance).plus(amount)), seq: takeSeq(tx, cbase), updatedAt: at }, input.creditDue);
  if (!cnext.owner && input.owners?.[credit]) cnext.owner = input.owners[credit];
  writes.push(writeAccount(tx, !!cacc, cnext));
  if (cnext.owner && (cnext.kind === 'user_available' || cnext.kind === 'user_escrow' || cnext.kind === 'merchant')) owners.add(cnext.owner);

  const entry: LedgerEntry = {
    _id: key,
    kind,
    debit,
    credit,
    amount: fmt(amount),
    at,
    ref: input.ref ?? null,
    owners: [...owners],
    debitAfter,
    creditAfter: cnext.balance,
    debitSeq,
    creditSeq: cnext.seq,
  };
  if (input.memo) entry.memo = input.memo;
  writes.push(txCreate(tx, LEDGER_COLL, key, entry));
  await Promise.all(writes);
  return 'posted';
}

/** Balance of an account inside a transaction, locked first (0 for an account never written). */
export async function balanceIn(tx: Tx, id: string): Promise<Decimal> {
  const acc = await lockAccount(tx, id);
  return dec(acc?.balance ?? '0');
}

// ---------------------------------------------------------------- the treasury inbox sweep

/** Entries of one sweep transaction: bounded, so a transaction stays short whatever the backlog. */
export const SWEEP_BATCH = 100;

/**
 * Post due treasury inboxes on to `treasury`, a batch per transaction (the `timeouts` timer, every minute).
 * Each inbox is locked, then read: one that a refund emptied meanwhile is skipped. The treasury is locked
 * last and written once per batch (its entries carry consecutive seqs), so it is held for a few round trips,
 * and the reads of a batch go out together. Safe to run twice at once: the second finds the inboxes empty or
 * conflicts and runs again.
 */
export async function sweepTreasuryInbox(opts: { batch?: number; budgetMs?: number } = {}): Promise<{ swept: number; points: string; batches: number }> {
  const batch = Math.max(1, Math.min(opts.batch ?? SWEEP_BATCH, 100));
  const budgetMs = opts.budgetMs ?? 20_000;
  const started = Date.now();
  const db = getDb();
  let swept = 0;
  let points = dec(0);
  let batches = 0;
  while (Date.now() - started < budgetMs) {
    const res = await db.collection(ACCOUNTS_COLL).where({ due: 1 }).limit(batch).get();
    const ids = ((res?.data ?? []) as Account[]).map((a) => a._id);
    if (ids.length === 0) break;
    const r = await runTx((tx) => sweepBatch(tx, ids));
    batches++;
    swept += r.swept;
    points = points.plus(r.points);
    if (ids.length < batch) break;
  }
  return { swept, points: fmt(points), batches };
}

async function sweepBatch(tx: Tx, ids: string[]): Promise<{ swept: number; points: Decimal }> {
  const accs = await Promise.all(ids.map((id) => lockAccount(tx, id)));
  const due = accs.filter((a): a is Account => !!a && a.kind === 'treasury_inbox' && dec(a.balance).gt(0));
  const empty = accs.filter((a): a is Account => !!a && a.kind === 'treasury_inbox' && !dec(a.balance).gt(0) && a.due === 1);
  if (due.length === 0 && empty.length === 0) return { swept: 0, points: dec(0) };
  const at = now();
  const writes: Promise<void>[] = [];
  for (const a of empty) writes.push(writeAccount(tx, true, { ...a, open: 0, due: 0, seq: takeSeq(tx, a), updatedAt: at }));
  let total = dec(0);
  if (due.length > 0) {
    const locked = await lockAccount(tx, TREASURY);
    const t = locked ?? newAccount(TREASURY, '', at);
    const existed = !!locked;
    let balance = dec(t.balance);
    let seq = takeSeq(tx, t);
    for (let i = 0; i < due.length; i++) {
      const a = due[i];
      const amount = dec(a.balance);
      if (i > 0) seq += 1;
      balance = balance.plus(amount);
      total = total.plus(amount);
      const inboxNext: Account = { ...a, balance: '0.00', open: 0, due: 0, seq: takeSeq(tx, a), updatedAt: at };
      writes.push(writeAccount(tx, true, inboxNext));
      const entry: LedgerEntry = {
        _id: `treasury-sweep:${a._id}:${inboxNext.seq}`,
        kind: 'treasury_sweep',
        debit: a._id,
        credit: TREASURY,
        amount: fmt(amount),
        at,
        ref: a._id.slice(TREASURY_INBOX_PREFIX.length),
        owners: [],
        debitAfter: '0.00',
        creditAfter: fmt(balance),
        debitSeq: inboxNext.seq,
        creditSeq: seq,
      };
      writes.push(txCreate(tx, LEDGER_COLL, entry._id, entry));
    }
    writes.push(writeAccount(tx, existed, { ...t, balance: fmt(balance), seq, updatedAt: at }));
  }
  await Promise.all(writes);
  return { swept: due.length, points: total };
}

/** The treasury as SPEC §10.1 counts it: the account and the inboxes not yet swept (for reports; pages all). */
export async function treasuryTotal(): Promise<{ treasury: Decimal; inbox: Decimal; total: Decimal }> {
  const db = getDb();
  const treasury = await getBalance(TREASURY);
  const inboxes = await readAll<Account>(db.collection(ACCOUNTS_COLL).where({ open: 1 }).orderBy('_id', 'asc'));
  let inbox = dec(0);
  for (const a of inboxes) inbox = inbox.plus(a.balance);
  return { treasury, inbox, total: treasury.plus(inbox) };
}

/** Balance of an account outside a transaction. */
export async function getBalance(id: string): Promise<Decimal> {
  const acc = await readDoc<Account>(getDb(), ACCOUNTS_COLL, id);
  return dec(acc?.balance ?? '0');
}

/** The release pool's balance: `release:pool` plus every claim shard (released points not yet credited to holders). */
export async function releasePoolTotal(): Promise<Decimal> {
  let total = await getBalance(RELEASE_POOL);
  for (let k = 0; k < RELEASE_POOL_SHARDS; k++) total = total.plus(await getBalance(releasePoolShard(k)));
  return total;
}

export async function getAccount(id: string): Promise<Account | null> {
  return readDoc<Account>(getDb(), ACCOUNTS_COLL, id);
}

/** Whether an entry with this key exists. */
export async function entryExists(key: string, tx?: Tx): Promise<boolean> {
  if (tx) return (await txRead(tx, LEDGER_COLL, key)) !== null;
  return (await readDoc(getDb(), LEDGER_COLL, key)) !== null;
}

// ---------------------------------------------------------------- genesis

export const SUPPLY_DOC = { coll: 'config', id: 'supply' } as const;

export interface SupplyDoc {
  releaseTotal: string;
  treasuryReserve: string;
  at: number;
}

/**
 * Bring the fixed supply into the books once: treasuryReserve to `treasury`, releaseTotal to
 * `release:unissued`, both as entries from `genesis`; and create `release:pool`. Idempotent.
 */
export async function ensureGenesis(
  _db: unknown,
  params: { releaseTotal: Decimal.Value; treasuryReserve: Decimal.Value },
): Promise<SupplyDoc> {
  const existing = await readDoc<SupplyDoc>(getDb(), SUPPLY_DOC.coll, SUPPLY_DOC.id);
  if (existing) return existing;
  return runTx(async (tx) => {
    const doc = await txRead(tx, SUPPLY_DOC.coll, SUPPLY_DOC.id);
    if (doc) return doc as SupplyDoc;
    const releaseTotal = dec(params.releaseTotal);
    const treasuryReserve = dec(params.treasuryReserve);
    if (treasuryReserve.gt(0)) {
      await postEntry(tx, { key: 'genesis:treasury', kind: 'genesis', debit: GENESIS, credit: TREASURY, amount: treasuryReserve, memo: '平台储备' });
    } else await ensureAccount(tx, TREASURY);
    if (releaseTotal.gt(0)) {
      await postEntry(tx, { key: 'genesis:unissued', kind: 'genesis', debit: GENESIS, credit: RELEASE_UNISSUED, amount: releaseTotal, memo: '待发行总量' });
    } else await ensureAccount(tx, RELEASE_UNISSUED);
    await ensureAccount(tx, RELEASE_POOL);
    const supply: SupplyDoc = { releaseTotal: fmt(releaseTotal), treasuryReserve: fmt(treasuryReserve), at: now() };
    await txWrite(tx, SUPPLY_DOC.coll, SUPPLY_DOC.id, supply);
    return supply;
  });
}

// ---------------------------------------------------------------- verification

export interface LedgerReport {
  ok: boolean;
  errors: string[];
  accounts: number;
  entries: number;
  supply: string; // Σ genesis entries
  totals: {
    treasury: string; // the treasury account itself (what deposit sales draw on)
    treasuryInbox: string; // income not yet swept into it (SPEC §10.1 counts both as the treasury)
    pool: string;
    unissued: string;
    released: string; // releaseTotal − unissued
    userAvailable: string;
    userEscrow: string;
    merchants: string;
    holds: string;
    other: string;
  };
}

/**
 * Recompute every balance from the entries and check SPEC §10.1 and §10.3:
 * - each account's balance = Σ credits − Σ debits, and the running balances recorded on the entries replay;
 * - Σ balances = Σ genesis entries = releaseTotal + treasuryReserve (from `config/supply`);
 *   equivalently released + treasuryReserve = Σ available + Σ escrow + merchants + holds + treasury + pool;
 * - no account but a merchant's is below zero, and a merchant's only after a sale deduction;
 * - every entry is well formed (positive, ≤ 2 decimals, two different sides, genesis only as a source).
 */
export async function verifyLedger(db?: unknown): Promise<LedgerReport> {
  const handle = (db && typeof (db as { collection?: unknown }).collection === 'function' ? db : getDb()) as AnyDoc;
  const accounts = await readAll<Account>(handle.collection(ACCOUNTS_COLL).orderBy('_id', 'asc'));
  const entries = await readAll<LedgerEntry>(handle.collection(LEDGER_COLL).orderBy('_id', 'asc'));
  const supplyDoc = await readDoc<SupplyDoc>(handle, SUPPLY_DOC.coll, SUPPLY_DOC.id);
  const errors: string[] = [];
  const computed = new Map<string, Decimal>();
  const byAccount = new Map<string, { seq: number; after: string | null; delta: Decimal; kind: string; key: string }[]>();
  let supply = dec(0);
  const seenKeys = new Set<string>();
  for (const e of entries) {
    if (seenKeys.has(e._id)) errors.push(`duplicate entry key ${e._id}`);
    seenKeys.add(e._id);
    let amt: Decimal;
    try {
      amt = dec(e.amount);
    } catch {
      errors.push(`entry ${e._id}: amount not a number (${e.amount})`);
      continue;
    }
    if (!isPointsAmount(amt) || amt.lte(0)) errors.push(`entry ${e._id}: bad amount ${e.amount}`);
    if (e.debit === e.credit) errors.push(`entry ${e._id}: debit = credit`);
    if (e.credit === GENESIS) errors.push(`entry ${e._id}: credits genesis`);
    if (e.debit === GENESIS) {
      if (e.kind !== 'genesis' && e.kind !== 'supply') errors.push(`entry ${e._id}: from genesis with kind ${e.kind}`);
      supply = supply.plus(amt);
    } else {
      computed.set(e.debit, (computed.get(e.debit) ?? dec(0)).minus(amt));
      const list = byAccount.get(e.debit) ?? [];
      list.push({ seq: e.debitSeq ?? -1, after: e.debitAfter, delta: amt.neg(), kind: e.kind, key: e._id });
      byAccount.set(e.debit, list);
    }
    computed.set(e.credit, (computed.get(e.credit) ?? dec(0)).plus(amt));
    const list = byAccount.get(e.credit) ?? [];
    list.push({ seq: e.creditSeq ?? -1, after: e.creditAfter, delta: amt, kind: e.kind, key: e._id });
    byAccount.set(e.credit, list);
  }

  const totals = {
    treasury: dec(0), treasuryInbox: dec(0), pool: dec(0), unissued: dec(0), userAvailable: dec(0), userEscrow: dec(0), merchants: dec(0), holds: dec(0), other: dec(0),
  };
  let sum = dec(0);
  const accountIds = new Set<string>();
  for (const a of accounts) {
    accountIds.add(a._id);
    const bal = dec(a.balance);
    sum = sum.plus(bal);
    const expect = computed.get(a._id) ?? dec(0);
    if (!bal.eq(expect)) errors.push(`account ${a._id}: balance ${a.balance} but entries give ${expect.toFixed(2)}`);
    if (!isPointsAmount(bal)) errors.push(`account ${a._id}: balance ${a.balance} has more than 2 decimals`);
    const kind = accountKindOf(a._id);
    if (bal.lt(0) && kind !== 'merchant' && kind !== 'release_pool') errors.push(`account ${a._id} (${kind}) is below zero: ${a.balance}`);
    switch (kind) {
      case 'treasury': totals.treasury = totals.treasury.plus(bal); break;
      case 'treasury_inbox': totals.treasuryInbox = totals.treasuryInbox.plus(bal); break;
      case 'release_pool': totals.pool = totals.pool.plus(bal); break;
      case 'release_unissued': totals.unissued = totals.unissued.plus(bal); break;
      case 'user_available': totals.userAvailable = totals.userAvailable.plus(bal); break;
      case 'user_escrow': totals.userEscrow = totals.userEscrow.plus(bal); break;
      case 'merchant': totals.merchants = totals.merchants.plus(bal); break;
      case 'hold': totals.holds = totals.holds.plus(bal); break;
      default: totals.other = totals.other.plus(bal);
    }
  }
  for (const id of computed.keys()) {
    if (!accountIds.has(id)) errors.push(`entries touch account ${id} which has no document`);
  }
  // replay each account in seq order: the recorded running balances must follow from the deltas
  for (const [id, list] of byAccount) {
    list.sort((x, y) => x.seq - y.seq);
    let running = dec(0);
    let lastSeq = 0;
    for (const step of list) {
      if (step.seq <= lastSeq) errors.push(`account ${id}: entry ${step.key} seq ${step.seq} not after ${lastSeq}`);
      lastSeq = step.seq;
      running = running.plus(step.delta);
      if (step.after === null || !dec(step.after).eq(running)) {
        errors.push(`account ${id}: after entry ${step.key} balance recorded ${step.after}, replay gives ${running.toFixed(2)}`);
      }
      if (running.lt(0) && step.delta.lt(0) && !(accountKindOf(id) === 'merchant' && NEGATIVE_OK_KINDS.has(step.kind)) && !(accountKindOf(id) === 'release_pool' && step.kind === 'release_credit')) {
        errors.push(`account ${id}: entry ${step.key} (${step.kind}) took it below zero`);
      }
    }
  }
  // a claim shard of the release pool may be below zero, the pool (all its accounts) never
  if (totals.pool.lt(0)) errors.push(`release pool (release:pool and its claim shards) is below zero: ${totals.pool.toFixed(2)}`);
  if (!sum.eq(supply)) errors.push(`Σ balances ${sum.toFixed(2)} ≠ supply from genesis ${supply.toFixed(2)}`);
  if (entries.length > 0 || accounts.length > 0) {
    if (!supplyDoc) errors.push('config/supply missing');
    else {
      const expected = dec(supplyDoc.releaseTotal).plus(supplyDoc.treasuryReserve);
      if (!supply.eq(expected)) errors.push(`supply ${supply.toFixed(2)} ≠ releaseTotal + treasuryReserve ${expected.toFixed(2)}`);
    }
  }
  const releaseTotal = supplyDoc ? dec(supplyDoc.releaseTotal) : dec(0);
  const released = releaseTotal.minus(totals.unissued);
  if (supplyDoc) {
    // SPEC §10.1 in its own words
    const lhs = released.plus(supplyDoc.treasuryReserve);
    const rhs = totals.userAvailable.plus(totals.userEscrow).plus(totals.merchants).plus(totals.holds).plus(totals.treasury).plus(totals.treasuryInbox).plus(totals.pool).plus(totals.other);
    if (!lhs.eq(rhs)) errors.push(`released + treasuryReserve ${lhs.toFixed(2)} ≠ holdings ${rhs.toFixed(2)}`);
  }
  const f = (d: Decimal) => d.toFixed(2);
  return {
    ok: errors.length === 0,
    errors,
    accounts: accounts.length,
    entries: entries.length,
    supply: f(supply),
    totals: {
      treasury: f(totals.treasury), treasuryInbox: f(totals.treasuryInbox), pool: f(totals.pool), unissued: f(totals.unissued), released: f(released),
      userAvailable: f(totals.userAvailable), userEscrow: f(totals.userEscrow), merchants: f(totals.merchants),
      holds: f(totals.holds), other: f(totals.other),
    },
  };
}

/** Entry kinds that may take a merchant's balance below zero (SPEC §10.3: only a sale deduction). */
export const NEGATIVE_OK_KINDS = new Set<string>(['order_deduction']);

/** Human labels for entry kinds (ledger history). Other modules add theirs with `registerLedgerKind`. */
export const LEDGER_KIND_LABELS: Record<string, string> = {
  genesis: '初始发行',
  supply: '总量调整',
  order_points_hold: '积分抵扣（冻结）',
  order_points_release: '订单取消，积分退回',
  order_points_refund: '订单退款，积分退回',
  order_points_pay: '积分抵扣',
  order_deduction: '订单让利扣除',
  order_deduction_refund: '订单退款，让利退回',
  deposit_purchase: '购买保证金积分',
  treasury_sweep: '平台收入入账',
};

export function registerLedgerKind(kind: string, label: string): void {
  LEDGER_KIND_LABELS[kind] = label;
}

/**
 * The id a user is shown for a ledger entry (history item id, paging cursor, transfer id). An entry's key may
 * name another user (`transfer:<senderOpenid>:<requestId>` is in the recipient's history), so what leaves the
 * server is a one-way hash of the key: stable, unique, and it reveals no openid.
 */
export function publicEntryId(key: string): string {
  return 'L' + createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
}

const CURSOR = /^(\d{1,16})\|(L[0-9a-f]{32})$/;

/**
 * One page of ledger entries touching accounts owned by `openid`, newest first (`at` desc, then key desc).
 * The cursor is `<at>|<publicEntryId of the page's last entry>`: opaque, so it carries no entry key either;
 * the next page finds that entry again among the user's entries at that same millisecond.
 */
export async function entriesOf(openid: string, cursor: string | null, limit: number): Promise<{ items: LedgerEntry[]; nextCursor: string | null }> {
  const db = getDb();
  const _ = db.command;
  let where: AnyDoc = { owners: openid };
  if (cursor) {
    const m = CURSOR.exec(cursor);
    if (!m) throw new DomainError('BAD_CURSOR', '翻页参数无效');
    const at = Number(m[1]);
    const sameMoment = await readAll<LedgerEntry>(db.collection(LEDGER_COLL).where({ owners: openid, at }).orderBy('_id', 'asc'));
    const last = sameMoment.find((e) => publicEntryId(e._id) === m[2]);
    if (!last) throw new DomainError('BAD_CURSOR', '翻页参数无效');
    where = _.and([{ owners: openid }, _.or([{ at: _.lt(at) }, { at, _id: _.lt(last._id) }])]);
  }
  const res = await db.collection(LEDGER_COLL).where(where).orderBy('at', 'desc').orderBy('_id', 'desc').limit(limit + 1).get();
  const list = (res.data ?? []) as LedgerEntry[];
  const items = list.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: list.length > limit && last ? `${last.at}|${publicEntryId(last._id)}` : null };
}
