/**
 * Every action of every cloud function (shared/api.ts, plus the timer functions), with a valid request built on
 * fresh fixtures and the roles allowed to call it — the decisions of the role matrix:
 *
 *   anon   no OPENID (a timer, another function; from the mini-program a call always has one)
 *   user   a plain user
 *   owner  the owner of merchant M (the merchant of the order / product in question); also the seller of trade T
 *   other  the owner of another merchant, M2 (a stranger to M's orders and products)
 *   admin  an admin (in the admins collection), not a merchant
 *
 * The rules: identity comes from the cloud context, roles from the database (SPEC §10.5). Everybody identified
 * may read the public catalogue and their own things; an order is the buyer's (and, to read and refund, its
 * merchant's); a store's products, orders, points and pay code are its owner's; a trade is its two parties'
 * (markPaid the buyer's, confirm the seller's); the admin function is the admins'; the timers run for the timer
 * (no OPENID) or an admin.
 */
import type { TestCloud } from '../localcloud/testing';
import { ADMIN, application, Gateway, rid, withDepositValueFor } from './kit';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Role = 'anon' | 'user' | 'owner' | 'other' | 'admin';
export const ROLES: Role[] = ['anon', 'user', 'owner', 'other', 'admin'];
const ID: Role[] = ['user', 'owner', 'other', 'admin'];

export interface Case {
  fn: string;
  action: string;
  allowed: Role[];
  /** A valid request on fresh fixtures (called again for every allowed role). */
  payload: (f: Fixtures) => Promise<Record<string, unknown>>;
  /** The caller to use for an allowed role when the call changes who the caller is (apply, …). */
  callerFor?: (f: Fixtures, role: Role) => Promise<string>;
  /** Changes state when allowed (the bad-input suite then uses fresh fixtures for each run). */
  mutating?: boolean;
  /** A read that writes bookkeeping of its own (why): the role suite then checks only the ledger and pay orders. */
  bookkeeping?: string;
}

let n = 0;
const fresh = (tag: string) => `${tag}_${Date.now().toString(36)}_${++n}`;

/** The world the matrix runs in: two active merchants, a user, an admin; resources made on demand through the API. */
export class Fixtures {
  ids!: Record<Exclude<Role, 'anon'>, string>;
  userNo!: Record<Exclude<Role, 'anon'>, string>;
  M!: { id: string; productId: string };
  M2!: { id: string; productId: string };

  constructor(readonly tc: TestCloud, readonly gw: Gateway) {}

  async setup(): Promise<void> {
    const gw = this.gw;
    this.ids = { user: 'rm_user', owner: 'rm_owner', other: 'rm_other', admin: ADMIN };
    this.userNo = {} as Record<Exclude<Role, 'anon'>, string>;
    for (const r of ID) this.userNo[r as Exclude<Role, 'anon'>] = (await gw.ok('user', this.ids[r as Exclude<Role, 'anon'>], { action: 'login' })).userNo;
    // 1000 points each, more than the deposit the treasury sells (withDepositValueFor)
    [this.M, this.M2] = await withDepositValueFor(gw, '1000', async () => [await this.merchant(this.ids.owner, 'M'), await this.merchant(this.ids.other, 'M2')]);
    // points for everybody (transfers, market sells, paying with points): from the stores' surplus
    await gw.ok('merchant', this.ids.owner, { action: 'movePoints', direction: 'toAvailable', points: '600.00', requestId: rid('mv') });
    await gw.ok('merchant', this.ids.other, { action: 'movePoints', direction: 'toAvailable', points: '600.00', requestId: rid('mv') });
    for (const r of ['user', 'admin'] as const) {
      await gw.ok('user', this.ids.owner, { action: 'transfer', toUserNo: this.userNo[r], points: '200.00', requestId: rid('give') });
    }
    for (const r of ID) await gw.ok('market', this.ids[r as Exclude<Role, 'anon'>], { action: 'setPaymentDetails', accountText: '支付宝 138****0000' });
  }

  private async merchant(owner: string, name: string): Promise<{ id: string; productId: string }> {
    const gw = this.gw;
    const m = await gw.ok('merchant', owner, { action: 'apply', requestId: rid('apply'), ...application(`${name}店`) });
    await gw.ok('admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    const d = await gw.ok('merchant', owner, { action: 'buyDeposit', points: '1000', requestId: rid('dep') });
    await this.tc.pay(d.pay.outTradeNo);
    const p = await gw.ok('merchant', owner, { action: 'saveProduct', requestId: rid('prod'), title: `${name}的面`, priceFen: 1500, stock: 100000, images: [], description: '面' });
    return { id: m.id, productId: p.id };
  }

  async freshUser(): Promise<string> {
    const o = fresh('rm_u');
    await this.gw.ok('user', o, { action: 'login' });
    return o;
  }

  async freshUserNo(): Promise<string> {
    return (await this.gw.ok('user', await this.freshUser(), { action: 'login' })).userNo;
  }

  async freshAdmin(): Promise<string> {
    const o = await this.freshUser();
    const me = await this.gw.ok('user', o, { action: 'login' });
    await this.gw.ok('admin', ADMIN, { action: 'addAdmin', userNo: me.userNo });
    return o;
  }

  /** A fresh approved store holding no points (it may buy its deposit from the treasury): its owner and id. */
  async approvedMerchant(): Promise<{ owner: string; id: string }> {
    const o = await this.freshUser();
    const m = await this.gw.ok('merchant', o, { action: 'apply', requestId: rid('apply'), ...application('新开店') });
    await this.gw.ok('admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    return { owner: o, id: m.id };
  }

  async approvedMerchantOwner(): Promise<string> {
    return (await this.approvedMerchant()).owner;
  }

  /** A fresh store, approved then suspended by the admin: its id. */
  async suspendedMerchant(): Promise<string> {
    const { id } = await this.approvedMerchant();
    await this.gw.ok('admin', ADMIN, { action: 'suspendMerchant', merchantId: id, reason: '测试暂停' });
    return id;
  }

  async pendingMerchant(): Promise<string> {
    const o = await this.freshUser();
    return (await this.gw.ok('merchant', o, { action: 'apply', requestId: rid('apply'), ...application('待审店') })).id;
  }

  /** A goods order of the user at M: 'unpaid' | 'paid' | 'shipped'. */
  async order(status: 'unpaid' | 'paid' | 'shipped'): Promise<string> {
    const c = await this.gw.ok('order', this.ids.user, { action: 'create', requestId: rid('fx'), merchantId: this.M.id, items: [{ productId: this.M.productId, quantity: 1 }] });
    if (status !== 'unpaid') await this.tc.pay(c.pay.outTradeNo);
    if (status === 'shipped') await this.gw.ok('merchant', this.ids.owner, { action: 'ship', orderId: c.order.id });
    return c.order.id;
  }

  lastAddressOwner = '';

  /** A fresh user with one saved address (remembered as `lastAddressOwner`): the address id. */
  async freshAddress(): Promise<{ id: string }> {
    const o = await this.freshUser();
    const r = await this.gw.ok('user', o, { action: 'saveAddress', name: '李四', phone: '13900139000', region: '北京市 朝阳区', detail: '建国路 1 号' });
    this.lastAddressOwner = o;
    return { id: r.saved.id };
  }

  /** A paid pickup order of the user at M (M then offers pickup as well as shipping): its id and code. */
  async pickupOrder(): Promise<{ orderId: string; code: string }> {
    await this.gw.ok('merchant', this.ids.owner, { action: 'setFulfilment', modes: ['delivery', 'pickup'] });
    const c = await this.gw.ok('order', this.ids.user, { action: 'create', requestId: rid('fx'), merchantId: this.M.id, items: [{ productId: this.M.productId, quantity: 1 }], fulfilment: 'pickup' });
    await this.tc.pay(c.pay.outTradeNo);
    return { orderId: c.order.id, code: c.order.pickupCode };
  }

  /** An open buy order of the user at the bottom of the band (crosses nothing). */
  async openBuy(): Promise<string> {
    const band = await this.gw.ok('market', this.ids.user, { action: 'depth' });
    return (await this.gw.ok('market', this.ids.user, { action: 'place', side: 'buy', priceFen: band.minPriceFen, quantity: '1.00', requestId: rid('ob') })).order.id;
  }

  /** Cancel every open market order of the fixture's people, so the next two orders meet each other. */
  async clearBook(): Promise<void> {
    for (const r of ID) {
      const who = this.ids[r as Exclude<Role, 'anon'>];
      for (;;) {
        const mine = await this.gw.ok('market', who, { action: 'myOrders', status: 'open' });
        if (mine.items.length === 0) break;
        for (const o of mine.items) await this.gw.ok('market', who, { action: 'cancel', orderId: o.id });
      }
    }
  }

  /** A trade T: the owner sells, the user buys; 'awaiting_payment' | 'paid' | 'appealed'. */
  async trade(status: 'awaiting_payment' | 'paid' | 'appealed'): Promise<string> {
    const gw = this.gw;
    await this.clearBook();
    const band = await gw.ok('market', this.ids.user, { action: 'depth' });
    const p = band.guidePriceFen;
    await gw.ok('market', this.ids.owner, { action: 'place', side: 'sell', priceFen: p, quantity: '1.00', requestId: rid('ts') });
    const b = await gw.ok('market', this.ids.user, { action: 'place', side: 'buy', priceFen: p, quantity: '1.00', requestId: rid('tb') });
    const t = b.trades.find((x: any) => x.counterpartUserNo === this.userNo.owner) ?? b.trades[0];
    if (!t) throw new Error('fixture: the buy did not match the sell');
    if (status === 'awaiting_payment') return t.id;
    await gw.ok('market', this.ids.user, { action: 'markPaid', tradeId: t.id });
    if (status === 'paid') return t.id;
    await this.tc.clock.advance(25 * 3600_000);
    await gw.ok('market', this.ids.user, { action: 'appeal', tradeId: t.id, reason: '卖家一直不确认收款', proofImage: 'https://img.example.com/paid.png' });
    return t.id;
  }
}

const none = async () => ({});

export const CASES: Case[] = [
  // ---- user
  { fn: 'user', action: 'login', allowed: ID, payload: none },
  { fn: 'user', action: 'updateProfile', allowed: ID, payload: async () => ({ nickname: '小明' }), mutating: true },
  { fn: 'user', action: 'acceptRisk', allowed: ID, payload: none, mutating: true },
  { fn: 'user', action: 'assets', allowed: ID, payload: none },
  { fn: 'user', action: 'ledger', allowed: ID, payload: async () => ({ limit: 5 }) },
  { fn: 'user', action: 'statements', allowed: ID, payload: async () => ({ days: 7 }) },
  { fn: 'user', action: 'subscribeRelease', allowed: ID, payload: async () => ({ accepted: true }), mutating: true },
  { fn: 'user', action: 'addresses', allowed: ID, payload: none },
  { fn: 'user', action: 'messages', allowed: ID, payload: none },
  { fn: 'user', action: 'unread', allowed: ID, payload: none },
  { fn: 'user', action: 'invitees', allowed: ID, payload: none },
  { fn: 'user', action: 'readMessages', allowed: ID, payload: async () => ({ all: true }), mutating: true },
  { fn: 'user', action: 'saveAddress', allowed: ID, payload: async () => ({ name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 1 号' }), mutating: true },
  {
    fn: 'user',
    action: 'deleteAddress',
    allowed: ID,
    // each caller deletes an address of their own book: a fresh user who has just saved one
    payload: async (f) => f.freshAddress(),
    callerFor: async (f) => f.lastAddressOwner,
    mutating: true,
  },
  { fn: 'user', action: 'lookup', allowed: ID, payload: async (f) => ({ userNo: f.userNo.owner }), bookkeeping: 'its rate-limit counter' },
  {
    fn: 'user',
    action: 'transfer',
    allowed: ID,
    payload: async (f) => ({ toUserNo: await f.freshUserNo(), points: '0.01', requestId: rid('tr') }),
    mutating: true,
  },
  // ---- merchant
  { fn: 'merchant', action: 'categories', allowed: ROLES, payload: none },
  { fn: 'merchant', action: 'list', allowed: ROLES, payload: none },
  { fn: 'merchant', action: 'search', allowed: ROLES, payload: async () => ({ keyword: '面' }) },
  { fn: 'merchant', action: 'home', allowed: ROLES, payload: none },
  { fn: 'merchant', action: 'get', allowed: ROLES, payload: async (f) => ({ merchantId: f.M.id }) },
  {
    fn: 'merchant',
    action: 'apply',
    allowed: ['user', 'admin'],
    payload: async () => ({ requestId: rid('ap'), ...application('新店') }),
    callerFor: async (f, role) => (role === 'admin' ? f.freshAdmin() : f.freshUser()),
    mutating: true,
  },
  { fn: 'merchant', action: 'mine', allowed: ID, payload: none },
  // M and M2 hold more than their deposit, and the treasury sells only up to it (SPEC §6.3): a store that still
  // needs its deposit buys
  {
    fn: 'merchant',
    action: 'buyDeposit',
    allowed: ['owner', 'other'],
    payload: async () => ({ points: '10', requestId: rid('bd') }),
    callerFor: (f) => f.approvedMerchantOwner(),
    mutating: true,
  },
  {
    fn: 'merchant',
    action: 'saveProduct',
    allowed: ['owner', 'other'],
    payload: async () => ({ requestId: rid('sp'), title: '新品', priceFen: 1000, stock: 5, images: [], description: '新品' }),
    mutating: true,
  },
  {
    fn: 'merchant',
    action: 'saveProduct(edit M)',
    allowed: ['owner'],
    payload: async (f) => ({ id: f.M.productId, requestId: rid('sp'), title: 'M的面', priceFen: 1500, stock: 100000, images: [], description: '改' }),
    mutating: true,
  },
  { fn: 'merchant', action: 'setOnShelf', allowed: ['owner'], payload: async (f) => ({ productId: f.M.productId, onShelf: true }), mutating: true },
  { fn: 'merchant', action: 'products', allowed: ['owner', 'other'], payload: none },
  { fn: 'merchant', action: 'payCode', allowed: ['owner', 'other'], payload: none, bookkeeping: 'the generated code is stored once' },
  // anyone registered may share a store on a poster (the code names the caller as referrer; nothing is stored)
  { fn: 'merchant', action: 'posterCode', allowed: ID, payload: async (f) => ({ merchantId: f.M.id, productId: f.M.productId }) },
  { fn: 'merchant', action: 'orders', allowed: ['owner', 'other'], payload: none },
  { fn: 'merchant', action: 'statements', allowed: ['owner', 'other'], payload: async () => ({ days: 7 }) },
  { fn: 'merchant', action: 'ship', allowed: ['owner'], payload: async (f) => ({ orderId: await f.order('paid'), trackingNo: 'SF1' }), mutating: true },
  { fn: 'merchant', action: 'dashboard', allowed: ['owner', 'other'], payload: none },
  {
    fn: 'merchant',
    action: 'deleteProduct',
    allowed: ['owner'],
    // a product of M made for the occasion (M's own product stays for the other cases)
    payload: async (f) => ({ productId: (await f.gw.ok('merchant', f.ids.owner, { action: 'saveProduct', requestId: rid('dp'), title: '待删除', priceFen: 100, stock: 1 })).id }),
    mutating: true,
  },
  { fn: 'merchant', action: 'setFulfilment', allowed: ['owner', 'other'], payload: async () => ({ modes: ['delivery', 'pickup'] }), mutating: true },
  { fn: 'merchant', action: 'verifyPickup', allowed: ['owner'], payload: async (f) => f.pickupOrder(), mutating: true },
  {
    fn: 'merchant',
    action: 'movePoints',
    allowed: ['owner', 'other'],
    payload: async () => ({ direction: 'toAvailable', points: '0.01', requestId: rid('mp') }),
    mutating: true,
  },
  // ---- order
  // the owner of M may neither order from nor get a quote for their own store (SELF_ORDER, proof/FINDINGS.md 5)
  { fn: 'order', action: 'quote', allowed: ['user', 'other', 'admin'], payload: async (f) => ({ merchantId: f.M.id, amountFen: 1000 }) },
  { fn: 'order', action: 'create', allowed: ['user', 'other', 'admin'], payload: async (f) => ({ merchantId: f.M.id, amountFen: 1000, requestId: rid('oc') }), mutating: true },
  { fn: 'order', action: 'pay', allowed: ['user'], payload: async (f) => ({ orderId: await f.order('unpaid') }) },
  { fn: 'order', action: 'list', allowed: ID, payload: none },
  { fn: 'order', action: 'get', allowed: ['user', 'owner'], payload: async (f) => ({ orderId: await f.order('paid') }) },
  { fn: 'order', action: 'confirm', allowed: ['user'], payload: async (f) => ({ orderId: await f.order('shipped') }), mutating: true },
  { fn: 'order', action: 'cancel', allowed: ['user'], payload: async (f) => ({ orderId: await f.order('unpaid') }), mutating: true },
  { fn: 'order', action: 'refund', allowed: ['user', 'owner'], payload: async (f) => ({ orderId: await f.order('paid'), reason: '不想要了' }), mutating: true },
  // ---- market
  { fn: 'market', action: 'depth', allowed: ID, payload: none },
  { fn: 'market', action: 'recentTrades', allowed: ID, payload: none },
  { fn: 'market', action: 'stats', allowed: ID, payload: none },
  {
    fn: 'market',
    action: 'place',
    allowed: ID,
    payload: async (f) => {
      const band = await f.gw.ok('market', f.ids.user, { action: 'depth' });
      return { side: 'buy', priceFen: band.minPriceFen, quantity: '1.00', requestId: rid('mp') };
    },
    mutating: true,
  },
  { fn: 'market', action: 'cancel', allowed: ['user'], payload: async (f) => ({ orderId: await f.openBuy() }), mutating: true },
  { fn: 'market', action: 'myOrders', allowed: ID, payload: none },
  { fn: 'market', action: 'myTrades', allowed: ID, payload: none },
  { fn: 'market', action: 'trade', allowed: ['user', 'owner'], payload: async (f) => ({ tradeId: await f.trade('awaiting_payment') }) },
  { fn: 'market', action: 'markPaid', allowed: ['user'], payload: async (f) => ({ tradeId: await f.trade('awaiting_payment') }), mutating: true },
  { fn: 'market', action: 'confirm', allowed: ['owner'], payload: async (f) => ({ tradeId: await f.trade('paid') }), mutating: true },
  { fn: 'market', action: 'cancelTrade', allowed: ['user'], payload: async (f) => ({ tradeId: await f.trade('awaiting_payment') }), mutating: true },
  { fn: 'market', action: 'setPaymentDetails', allowed: ID, payload: async () => ({ accountText: '银行卡 6222 **** 0001' }), mutating: true },
  { fn: 'market', action: 'getPaymentDetails', allowed: ID, payload: none },
  // ---- admin
  { fn: 'admin', action: 'params', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'setParam', allowed: ['admin'], payload: async () => ({ name: 'autoConfirmDays', value: 8, reason: '测试' }), mutating: true },
  { fn: 'admin', action: 'audit', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'setBanners', allowed: ['admin'], payload: async (f) => ({ banners: [{ image: 'cloud://env/banner.png', title: '新店开业', merchantId: f.M.id }] }), mutating: true },
  { fn: 'admin', action: 'admins', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'addAdmin', allowed: ['admin'], payload: async (f) => ({ userNo: await f.freshUserNo() }), mutating: true },
  {
    fn: 'admin',
    action: 'removeAdmin',
    allowed: ['admin'],
    payload: async (f) => ({ userNo: (await f.gw.ok('user', await f.freshAdmin(), { action: 'login' })).userNo }),
    mutating: true,
  },
  { fn: 'admin', action: 'pendingMerchants', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'approveMerchant', allowed: ['admin'], payload: async (f) => ({ merchantId: await f.pendingMerchant() }), mutating: true },
  { fn: 'admin', action: 'checkSubMerchant', allowed: ['admin'], payload: async (f) => ({ merchantId: await f.pendingMerchant() }), mutating: true },
  { fn: 'admin', action: 'rejectMerchant', allowed: ['admin'], payload: async (f) => ({ merchantId: await f.pendingMerchant(), reason: '资料不全' }), mutating: true },
  { fn: 'admin', action: 'suspendMerchant', allowed: ['admin'], payload: async (f) => ({ merchantId: (await f.approvedMerchant()).id, reason: '涉嫌刷单' }), mutating: true },
  { fn: 'admin', action: 'reinstateMerchant', allowed: ['admin'], payload: async (f) => ({ merchantId: await f.suspendedMerchant(), reason: '核查无误' }), mutating: true },
  { fn: 'admin', action: 'appeals', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'setGuidePrice', allowed: ['admin'], payload: async () => ({ priceFen: 200, reason: '人工校准' }), mutating: true },
  { fn: 'admin', action: 'releaseStatus', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'releaseNow', allowed: ['admin'], payload: none, mutating: true },
  { fn: 'admin', action: 'dashboard', allowed: ['admin'], payload: none },
  { fn: 'admin', action: 'farming', allowed: ['admin'], payload: async () => ({ days: 7 }) },
  { fn: 'admin', action: 'simulate', allowed: ['admin'], payload: async () => ({ assumptions: { days: 5, spending: { kind: 'constant', yuanPerDay: '5000' } } }) },
  // ---- the timer functions
  { fn: 'release', action: 'run', allowed: ['anon', 'admin'], payload: none, mutating: true },
  { fn: 'release', action: 'notices', allowed: ['anon', 'admin'], payload: none, mutating: true },
  { fn: 'timeouts', action: 'tick', allowed: ['anon', 'admin'], payload: none, mutating: true },
  // ---- appeals last: they move the clock a day on
  { fn: 'market', action: 'appeal', allowed: ['user', 'owner'], payload: async (f) => ({ tradeId: await f.trade('paid').then(async (id) => (await f.tc.clock.advance(25 * 3600_000), id)), reason: '对方不确认', proofImage: 'https://img.example.com/paid.png' }), mutating: true },
  { fn: 'market', action: 'addProof', allowed: ['user', 'owner'], payload: async (f) => ({ tradeId: await f.trade('appealed'), proofImage: 'https://img.example.com/chat.png', note: '聊天记录' }), mutating: true },
  { fn: 'admin', action: 'decideAppeal', allowed: ['admin'], payload: async (f) => ({ tradeId: await f.trade('appealed'), decision: 'release', reason: '买家付款凭证齐全' }), mutating: true },
];

/** The action a case calls ("saveProduct(edit M)" calls saveProduct). */
export const actionOf = (c: Case) => c.action.replace(/\(.*\)$/, '');

/** Every action named in shared/api.ts's XxxApi interfaces. */
export function apiActions(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/export interface (\w+)Api \{([\s\S]*?)\n\}/g)) {
    const fn = m[1].toLowerCase();
    for (const a of m[2].matchAll(/^\s{2}(\w+): \{ req:/gm)) out.push(`${fn}.${a[1]}`);
  }
  return out;
}

/**
 * Every action docs/api.md documents: the `### \`fn.action\`` headings (two on a line for a pair), the rows of the
 * action tables of `admin` and `release` (\`| \`name\` |\``), and `timeouts.tick` ("Any event runs `tick`").
 * The `payment` function has no actions (a WeChat Pay notification: proof suites test it apart).
 */
export function docActions(md: string): string[] {
  const out = new Set<string>();
  let section = '';
  for (const line of md.split('\n')) {
    const sec = /^## `(\w+)`/.exec(line);
    if (sec) section = sec[1];
    else if (/^## /.test(line)) section = '';
    if (/^### /.test(line)) for (const m of line.matchAll(/`(\w+)\.(\w+)`/g)) out.add(`${m[1]}.${m[2]}`);
    if ((section === 'admin' || section === 'release') && /^\| `\w+` \|/.test(line)) out.add(`${section}.${/^\| `(\w+)`/.exec(line)![1]}`);
    if (section === 'timeouts' && /runs `tick`/.test(line)) out.add('timeouts.tick');
  }
  return [...out];
}
