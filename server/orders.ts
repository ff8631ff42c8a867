/**
 * Orders (SPEC §4, §7): creation, payment, shipping, receipt, the timeouts, refunds, settlement.
 *
 * Points in an order live in the ledger: at creation the points offset moves from the buyer's available
 * points into the order's hold account `hold:order:<id>`; at settlement it moves on to the merchant; a
 * cancellation or a refund gives it back. Keeping it in the hold until settlement (rather than paying the
 * merchant at payment) means a refund never has to take points back from a merchant that may have spent
 * them (SPEC §10.3: a merchant goes below zero only through a sale deduction).
 *
 * The merchant's deduction, ceil2(cash × rebateRate ÷ P) at the guide price of the moment of payment, moves
 * merchant → the order's treasury inbox `treasury:in:order:<id>` when the order is paid (may take the merchant
 * below zero); a refund returns it from there; once the order settles the sweep posts it on to `treasury`. No
 * payment writes a document that other stores' payments write (docs/architecture.md "The treasury").
 *
 * Creation is refused while the merchant is not active or its points balance is below zero. The check reads
 * the merchant's account as last committed, without locking it (`peekAccount`): the order is accepted on the
 * balance of that moment, recorded on it (`merchantSeqAtCreate`, `merchantBalanceAtCreate`). Locking the account
 * there would queue every order of a busy store behind its one account document (issue 18).
 *
 * Status: unpaid → paid → (goods) shipped → completed; in store: paid and completed together.
 * unpaid → cancelled (buyer, or 30 min timeout); paid | shipped → refunded (before settlement).
 */
import { randomInt } from 'crypto';
import type { Address, FulfilmentMode, Order, OrderKind, OrderLine, OrderStatus, Page, PaymentRequest } from '../shared/api';
import { FULFILMENT_LABELS, PICKUP_CODE_RE, allowedModes, isFulfilmentMode, needsShipping, normalizeAddress, pickupCodeOf, settlesOnPayment } from '../shared/fulfilment';
import { Dec, ZERO, dec, formatPointsText, toAmountString } from '../shared/decimal';
import { DomainError } from '../shared/errors';
import { maxPointsForAmount, orderRebate, splitPayment } from '../shared/settlement';
import type { OrderRebate } from '../shared/settlement';
import { now } from './clock';
import { getGuidePriceFen, getParams } from './config';
import type { Params } from '../shared/params';
import { AnyDoc, Tx, cmd, getDb, lockAndRead, newDocId, newId, onCommit, patchDoc, readDoc, runTx, writeDoc } from './db';
import { PostEntryInput, TREASURY, balanceIn, getBalance, markInboxDue, merchantAccount, orderHold, peekAccount, postEntry, registerLedgerKind, treasuryInbox, userAvailable } from './ledger';
import { MERCHANTS_COLL, MerchantDoc, requireMyMerchant, storeModesOf, isSeenStore } from './merchants';
import { PRODUCTS_COLL, ProductDoc } from './products';
import { PURCHASES_COLL, expirePurchase } from './deposit';
import { countSold } from './search';
import { eachAtMost } from './pool';
import { closeOrder, confirmsPayment, PaidState, queryOrder, refund as payRefund, requestPayment } from './pay';
import { Asked, askPayment, payAskOf, payBody, sameAsk } from './prepay';
import { checkRequest } from './requests';
import { afterOrderEvent } from './storeStats';
import { StockTaken, returnStockInTx, takeStockInTx } from './stock';
import { merchantHolderId, pointsNow, settleFirst, userHolderId } from './svView';
import { creditSvEach } from './holders';
import { requireUser } from './users';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, fen, id as idOf, optId, optPoints, optStr, requestId as requestIdOf, str } from './validate';

export const ORDERS_COLL = 'orders';

registerLedgerKind('order_points_hold', '积分抵扣（待结算）');
registerLedgerKind('order_points_release', '订单取消，积分退回');
registerLedgerKind('order_points_refund', '订单退款，积分退回');
registerLedgerKind('order_points_pay', '顾客积分抵扣收入');
registerLedgerKind('order_deduction', '订单让利扣除');
registerLedgerKind('order_deduction_refund', '订单退款，让利退回');

const MAX_ORDER_FEN = 100_000_000; // ¥1,000,000
const MAX_LINES = 50;
const MAX_QTY = 9999;

export interface RefundInfo {
  status: 'none' | 'pending' | 'done';
  outRefundNo: string;
  by: string;
  reason: string;
  attempts: number;
  lastError?: string | null;
}

export interface OrderDoc extends Omit<Order, 'id' | 'expectedUserSv' | 'expectedMerchantSv'> {
  _id: string;
  buyerOpenid: string;
  merchantOwnerOpenid: string;
  subMchId: string;
  outTradeNo: string;
  transactionId: string | null;
  settled: boolean;
  guidePriceAtPayFen: number | null;
  /** Where the merchant's deduction went: the order's treasury inbox (absent on orders paid before it existed: `treasury`). */
  deductionAccount?: string;
  /** Where each product's units came from (server/stock.ts), to give them back there; absent on older orders. */
  stockTaken?: StockTaken;
  merchantSeqAtCreate: number;
  merchantBalanceAtCreate: string;
  refund: RefundInfo | null;
  cancelReason: string | null;
}

/** Orders that will still settle (and so still earn shared value). */
const OPEN_STATUSES: OrderStatus[] = ['unpaid', 'paid', 'shipped'];

/**
 * What a caller sees of an order. The pickup code is the buyer's proof of collection: the store's own views
 * never carry it (the store gets it from the buyer, typed or scanned).
 */
export function orderView(o: OrderDoc, viewer: 'buyer' | 'merchant' = 'buyer'): Order {
  return {
    id: o._id,
    kind: o.kind,
    merchantId: o.merchantId,
    merchantName: o.merchantName,
    buyerUserNo: o.buyerUserNo,
    lines: o.lines,
    amountFen: o.amountFen,
    pointsUsed: o.pointsUsed,
    pointsFen: o.pointsFen,
    cashFen: o.cashFen,
    guidePriceFen: o.guidePriceFen,
    merchantDeduction: o.merchantDeduction,
    // only what settlement credited: a paid, shipped or refunded order has credited nothing (issue 16)
    userSv: o.settled ? o.userSv : '0.00',
    merchantSv: o.settled ? o.merchantSv : '0.00',
    expectedUserSv: !o.settled && OPEN_STATUSES.includes(o.status) ? o.userSv : null,
    expectedMerchantSv: !o.settled && OPEN_STATUSES.includes(o.status) ? o.merchantSv : null,
    status: o.status,
    createdAt: o.createdAt,
    paidAt: o.paidAt,
    shippedAt: o.shippedAt,
    completedAt: o.completedAt,
    cancelledAt: o.cancelledAt,
    refundedAt: o.refundedAt,
    autoConfirmAt: o.autoConfirmAt,
    payExpiresAt: o.payExpiresAt,
    // orders made before fulfilment modes existed lack these fields
    fulfilment: o.fulfilment ?? (o.kind === 'goods' ? 'delivery' : null),
    address: o.address ?? null,
    note: o.note ?? '',
    carrier: o.carrier ?? null,
    trackingNo: o.trackingNo ?? null,
    pickupCode: viewer === 'buyer' ? (o.pickupCode ?? null) : null,
  };
}

export async function getOrder(orderId: string, tx?: Tx): Promise<OrderDoc | null> {
  return readDoc<OrderDoc>(tx ?? getDb(), ORDERS_COLL, orderId);
}

// ---------------------------------------------------------------- input

interface ItemInput {
  productId: string;
  quantity: number;
}

interface OrderInput {
  merchantId: string;
  items: ItemInput[] | null;
  amountFen: number | null;
  points: Dec;
  /** null: not sent (older clients; a goods order is then shipped, as before modes existed) */
  fulfilment: FulfilmentMode | null;
  address: Address | null;
  note: string;
}

function readOrderInput(p: Payload): OrderInput {
  const merchantId = idOf(p, 'merchantId', '商家');
  const hasItems = p.items !== undefined && p.items !== null;
  const hasAmount = p.amountFen !== undefined && p.amountFen !== null;
  if (hasItems === hasAmount) throw new DomainError('INVALID_INPUT', '请选择商品，或输入到店支付金额（二选一）');
  let items: ItemInput[] | null = null;
  let amountFen: number | null = null;
  if (hasItems) {
    if (!Array.isArray(p.items) || p.items.length === 0 || p.items.length > MAX_LINES) throw new DomainError('INVALID_INPUT', `商品列表必须有 1 到 ${MAX_LINES} 项`);
    const seen = new Set<string>();
    items = (p.items as unknown[]).map((raw, i) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DomainError('INVALID_INPUT', `第 ${i + 1} 项商品格式不正确`);
      const r = raw as Payload;
      const productId = idOf(r, 'productId', `第 ${i + 1} 项商品`);
      const q = r.quantity;
      if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 1 || q > MAX_QTY) throw new DomainError('INVALID_INPUT', `第 ${i + 1} 项商品数量必须是 1 到 ${MAX_QTY} 的整数`);
      if (seen.has(productId)) throw new DomainError('INVALID_INPUT', '同一商品请合并为一项');
      seen.add(productId);
      return { productId, quantity: q };
    });
  } else {
    amountFen = fen(p, 'amountFen', '支付金额', { max: MAX_ORDER_FEN });
  }
  const points = optPoints(p, 'points', { label: '抵扣积分', max: '100000000' }) ?? ZERO;
  let fulfilment: FulfilmentMode | null = null;
  if (p.fulfilment !== undefined && p.fulfilment !== null) {
    if (!isFulfilmentMode(p.fulfilment)) throw new DomainError('INVALID_INPUT', '配送方式必须是 delivery / pickup / dinein 之一');
    if (!items) throw new DomainError('INVALID_INPUT', '到店支付不需要选择配送方式');
    fulfilment = p.fulfilment;
  }
  let address: Address | null = null;
  if (fulfilment === 'delivery') {
    const a = normalizeAddress(p.address);
    if (!a.ok) throw new DomainError('ADDRESS_REQUIRED', a.message);
    address = a.address;
  }
  const note = optStr(p, 'note', { label: '订单备注', min: 0, max: 100 }) ?? '';
  return { merchantId, items, amountFen, points, fulfilment, address, note };
}

function ownOrder(o: OrderDoc | null, openid: string, as: 'buyer' | 'merchant' | 'either' = 'buyer'): OrderDoc {
  if (!o) throw new DomainError('ORDER_NOT_FOUND', '订单不存在');
  const isBuyer = o.buyerOpenid === openid;
  const isMerchant = o.merchantOwnerOpenid === openid;
  const ok = as === 'buyer' ? isBuyer : as === 'merchant' ? isMerchant : isBuyer || isMerchant;
  if (!ok) throw new DomainError('FORBIDDEN', '这不是你的订单');
  return o;
}

function stateError(o: OrderDoc, action: string): DomainError {
  const names: Record<OrderStatus, string> = { unpaid: '待支付', paid: '已支付', shipped: '已发货', completed: '已完成', cancelled: '已取消', refunded: '已退款' };
  return new DomainError('INVALID_STATE', `订单${names[o.status]}，不能${action}`);
}

// ---------------------------------------------------------------- quote & create

export async function quote(openid: string, p: Payload) {
  const input = readOrderInput({ ...p, requestId: undefined });
  const m = await readDoc<MerchantDoc>(getDb(), MERCHANTS_COLL, input.merchantId);
  // as createOrder refuses it: the checkout says so before the owner tries
  if (m && m.ownerOpenid === openid) throw new DomainError('SELF_ORDER', '不能在自己的店铺下单');
  if (m?.status === 'suspended') throw new DomainError('MERCHANT_SUSPENDED', '该商家已被平台暂停营业，暂不能下单');
  if (!m || m.status !== 'active') throw new DomainError('MERCHANT_INACTIVE', '该商家暂未营业');
  let amountFen = input.amountFen ?? 0;
  if (input.items) {
    for (const it of input.items) {
      const prod = await readDoc<ProductDoc>(getDb(), PRODUCTS_COLL, it.productId);
      if (!prod || prod.merchantId !== m._id || !prod.onShelf) throw new DomainError('PRODUCT_NOT_FOUND', '商品不存在或已下架');
      amountFen += prod.priceFen * it.quantity;
    }
  }
  if (amountFen > MAX_ORDER_FEN) throw new DomainError('INVALID_AMOUNT', '订单金额过大');
  const guidePriceFen = await getGuidePriceFen();
  // the released points are the buyer's from the release on (SPEC §5), booked or not
  const available = (await pointsNow(userHolderId(openid))).points;
  // as createOrder refuses it: the preview never shows an offset paid with points the buyer does not have
  if (input.points.gt(available)) throw new DomainError('INSUFFICIENT_POINTS', `积分余额不足：可用 ${formatPointsText(available.gt(0) ? available : ZERO)} 积分`);
  const cap = maxPointsForAmount(amountFen, guidePriceFen);
  const maxPoints = Dec_min(cap, available.gt(0) ? available : ZERO);
  const split = splitPayment({ amountFen, points: input.points.toFixed(2), guidePriceFen });
  return { amountFen, maxPoints: toAmountString(maxPoints), pointsFen: split.pointsFen, cashFen: split.cashFen, guidePriceFen };
}

/**
 * The order's fulfilment mode: the one asked for, which the store and every product must offer. A request
 * without one (an older client) gets shipping when it is offered, else the first mode offered.
 */
function chooseMode(input: OrderInput, storeModes: FulfilmentMode[], productModes: (FulfilmentMode[] | undefined)[]): FulfilmentMode {
  const allowed = allowedModes(storeModes, productModes);
  if (allowed.length === 0) throw new DomainError('FULFILMENT_UNAVAILABLE', '这些商品没有共同的配送方式，请分开下单');
  if (input.fulfilment === null) return allowed.includes('delivery') ? 'delivery' : allowed[0];
  if (!allowed.includes(input.fulfilment)) {
    throw new DomainError('FULFILMENT_UNAVAILABLE', `该商家（或商品）不支持${FULFILMENT_LABELS[input.fulfilment]}，可选：${allowed.map((x) => FULFILMENT_LABELS[x]).join('、')}`);
  }
  return input.fulfilment;
}

function Dec_min(a: Dec, b: Dec): Dec {
  return a.lte(b) ? a : b;
}

/**
 * The payment request of an unpaid order. When WeChat Pay says the trade is already paid (the user paid, the
 * notification was lost, e.g. the function was killed, and the client now replays its create or pays again),
 * the payment is confirmed with queryOrder and applied here, and the answer is the paid order without a request.
 */
/** WeChat Pay's payment request for an unpaid order: `started` when it went out already (for this very order). */
async function payRequestFor(o: OrderDoc, started?: Promise<PaymentRequest | 'paid'>): Promise<{ order: OrderDoc; pay: PaymentRequest | null }> {
  if (o.status !== 'unpaid' || o.cashFen <= 0) return { order: o, pay: null };
  const pay = await (started ?? requestPayment(payAskOf(o)));
  if (pay !== 'paid') return { order: o, pay };
  if ((await applyIfPaid(o)) !== 'applied') throw new DomainError('PAY_UNAVAILABLE', '该订单的支付正在确认中，请稍后刷新');
  return { order: (await getOrder(o._id)) ?? o, pay: null };
}

export async function createOrder(openid: string, p: Payload): Promise<{ order: Order; pay: PaymentRequest | null }> {
  const requestId = requestIdOf(p);
  const input = readOrderInput(p);
  // the new order's id, drawn once: a transaction that runs again asks WeChat Pay again about the same trade, with
  // the same details (server/prepay.ts), so no attempt leaves a trade of its own behind
  const preId = newId('O', now());
  let asked: Asked | null = null;
  const order = await runTx(async (tx) => {
    // the first reads go out together (one round trip): the request record, the buyer, the store, the parameters,
    // the guide price, the new order's id (drawn at random: its check that no order has it needs nothing else) and
    // the store's balance (as last committed, without a lock: read again only when its released points are booked),
    // and the store's released points booked (SPEC §4.2, §5: its balance includes them, and they may activate it;
    // for an id that is no store there is nothing to book, and a refused order's transaction writes nothing)
    // (a replay uses only the first; the buyer's refusal counts only for a new request)
    const at = now();
    const [req, buyerOr, m0, params, guidePriceFen, freeId, acc0, storeSettled] = await Promise.all([
      checkRequest<{ orderId: string }>(tx, 'order.create', openid, requestId, p),
      requireUser(openid, tx).then(
        (u) => ({ u, e: null }),
        (e: unknown) => ({ u: null, e }),
      ),
      readDoc<MerchantDoc>(tx, MERCHANTS_COLL, input.merchantId),
      getParams(tx),
      getGuidePriceFen(tx),
      // the id drawn once before the transaction (every attempt asks WeChat Pay about the same trade), unless an
      // order has it: set() would replace that one
      newDocId(tx, ORDERS_COLL, 'O', at, preId),
      peekAccount(tx, merchantAccount(input.merchantId)),
      settleFirst(tx, merchantHolderId(input.merchantId)),
    ]);
    if (req.replay) {
      const o = await readDoc<OrderDoc>(tx, ORDERS_COLL, req.result.orderId);
      if (!o) throw new Error('order of a recorded request is missing');
      return o;
    }
    if (!buyerOr.u) throw buyerOr.e;
    const buyer = buyerOr.u;
    let m = m0;
    if (!isSeenStore(m)) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
    if (m.ownerOpenid === openid) throw new DomainError('SELF_ORDER', '不能在自己的店铺下单');
    let acc1 = acc0;
    if (storeSettled.credited.gt(0)) {
      const [m1, a1] = await Promise.all([readDoc<MerchantDoc>(tx, MERCHANTS_COLL, m._id), peekAccount(tx, merchantAccount(m._id))]);
      m = m1 ?? m;
      acc1 = a1;
    }
    if (m.status === 'suspended') throw new DomainError('MERCHANT_SUSPENDED', '该商家已被平台暂停营业，暂不能下单');
    if (m.status !== 'active') throw new DomainError('MERCHANT_INACTIVE', '该商家尚未缴足保证金，暂不能下单');
    // the store's balance as last committed, read without a lock: the order is accepted on the balance of this
    // moment, and a busy store's orders do not queue on its account (its payments lock it, briefly, at the end)
    const acc = acc1 ?? { seq: 0, balance: '0.00' };
    if (dec(acc.balance).lt(0)) throw new DomainError('MERCHANT_NEGATIVE', '该商家积分不足，暂时无法下单');
    // an id WeChat Pay was asked about with other details (an attempt before this one, at a store whose sub-merchant
    // or name changed meanwhile) cannot be asked about again (201 商户订单号重复): the order takes a new one
    const early = asked as Asked | null;
    const orderId = early && (early.ask.subMchId !== m.subMchId || early.ask.body !== payBody(m.name)) ? await newDocId(tx, ORDERS_COLL, 'O', at) : freeId;

    const lines: OrderLine[] = [];
    const stockTaken: StockTaken = {};
    const wanted: Array<{ prod: ProductDoc; quantity: number }> = [];
    let amountFen = input.amountFen ?? 0;
    const kind: OrderKind = input.items ? 'goods' : 'instore';
    const productModes: (FulfilmentMode[] | undefined)[] = [];
    if (input.items) {
      for (const it of input.items) {
        const prod = await readDoc<ProductDoc>(tx, PRODUCTS_COLL, it.productId);
        if (!prod || prod.merchantId !== m._id) throw new DomainError('PRODUCT_NOT_FOUND', '商品不存在');
        if (!prod.onShelf) throw new DomainError('PRODUCT_OFF_SHELF', `「${prod.title}」已下架`);
        wanted.push({ prod, quantity: it.quantity });
        lines.push({ productId: prod._id, title: prod.title, priceFen: prod.priceFen, quantity: it.quantity });
        productModes.push(prod.fulfilmentModes);
        amountFen += prod.priceFen * it.quantity;
      }
      if (amountFen > MAX_ORDER_FEN) throw new DomainError('INVALID_AMOUNT', '订单金额过大');
    }
    const fulfilment = kind === 'goods' ? chooseMode(input, storeModesOf(m), productModes) : null;
    const split = splitPayment({ amountFen, points: input.points.toFixed(2), guidePriceFen });
    if (split.points.gt(0)) {
      await settleFirst(tx, userHolderId(openid)); // the buyer's released points pay too
      await postEntry(tx, {
        key: `order:${orderId}:hold`,
        kind: 'order_points_hold',
        debit: userAvailable(openid),
        credit: orderHold(orderId),
        amount: split.points,
        ref: orderId,
        memo: `订单 ${orderId} 积分抵扣`,
        owners: { [orderHold(orderId)]: openid },
        knownNew: true, // a new order's id
        creditNew: true, // and so its hold
      });
    }
    // the stock last: a shard taken from is locked until the commit, so it is held for the last round trips only
    // (server/stock.ts: shards, a look at all of them first, then a take from one that had some)
    for (const w of wanted) stockTaken[w.prod._id] = await takeStockInTx(tx, w.prod, w.quantity);
    const estimate = orderRebate({ cashFen: split.cashFen, params, guidePriceFen });
    const o: OrderDoc = {
      _id: orderId,
      kind,
      merchantId: m._id,
      merchantName: m.name,
      merchantOwnerOpenid: m.ownerOpenid,
      buyerOpenid: openid,
      buyerUserNo: buyer.userNo,
      lines,
      amountFen,
      pointsUsed: split.points.toFixed(2),
      pointsFen: split.pointsFen,
      cashFen: split.cashFen,
      guidePriceFen,
      merchantDeduction: '0.00',
      userSv: estimate.userSv.toFixed(2),
      merchantSv: estimate.merchantSv.toFixed(2),
      status: 'unpaid',
      createdAt: at,
      paidAt: null,
      shippedAt: null,
      completedAt: null,
      cancelledAt: null,
      refundedAt: null,
      autoConfirmAt: null,
      payExpiresAt: at + params.unpaidOrderMinutes * 60_000,
      subMchId: m.subMchId,
      outTradeNo: orderId,
      transactionId: null,
      trackingNo: null,
      carrier: null,
      fulfilment,
      address: input.address,
      note: input.note,
      pickupCode: fulfilment === 'pickup' ? pickupCodeOf(randomInt(0, 1_000_000)) : null,
      settled: false,
      guidePriceAtPayFen: null,
      stockTaken,
      merchantSeqAtCreate: acc.seq,
      merchantBalanceAtCreate: acc.balance,
      refund: null,
      cancelReason: null,
    };
    if (o.cashFen === 0) {
      // all paid with points: paid here, so its messages and its store's day follow this commit (and only this
      // one: a replay of the request returns the order as it is now, and counts nothing again)
      const paid = await applyPaymentInTx(tx, o, null);
      onCommit(tx, () => afterOrderEvent(paid, 'paid'));
      await req.record({ orderId });
      return paid;
    }
    // the order is complete and nothing left can refuse it: WeChat Pay is asked now (unless an attempt before this
    // one asked about exactly this order), its answer overlapping the last writes and the commit
    const ask = payAskOf(o);
    if (!asked || !sameAsk(asked.ask, ask)) asked = askPayment(ask);
    await Promise.all([writeDoc(tx, ORDERS_COLL, orderId, o), req.record({ orderId })]);
    return o;
  });
  const started = asked as Asked | null;
  const r = await payRequestFor(order, started && sameAsk(started.ask, payAskOf(order)) ? started.payment : undefined);
  return { order: orderView(r.order), pay: r.pay };
}

// ---------------------------------------------------------------- payment & settlement

/**
 * In a transaction, an unpaid order becomes paid: the merchant's deduction at this moment's guide price
 * (merchant → treasury, may go below zero); an in-store order settles at once.
 */
export async function applyPaymentInTx(tx: Tx, order: OrderDoc, transactionId: string | null): Promise<OrderDoc> {
  const [params, guidePriceFen] = await Promise.all([getParams(tx), getGuidePriceFen(tx)]);
  const at = now();
  const rebate = orderRebate({ cashFen: order.cashFen, params, guidePriceFen });
  const inbox = treasuryInbox(`order:${order._id}`);
  const deduction: PostEntryInput | null = rebate.merchantDeduction.gt(0)
    ? {
        key: `order:${order._id}:deduction`,
        kind: 'order_deduction',
        debit: merchantAccount(order.merchantId),
        credit: inbox,
        amount: rebate.merchantDeduction,
        ref: order._id,
        memo: `订单 ${order._id} 让利扣除`,
        allowNegative: true,
        creditDue: settlesOnPayment(order.kind, order.fulfilment), // settled in this same transaction: no refund can take it back
        knownNew: true, // the order, locked, is unpaid: nothing was deducted for it
        creditNew: true, // nor its inbox created (only this deduction creates it)
      }
    : null;
  let o: OrderDoc = {
    ...order,
    status: 'paid',
    paidAt: at,
    transactionId,
    guidePriceAtPayFen: guidePriceFen,
    deductionAccount: inbox,
    merchantDeduction: rebate.merchantDeduction.toFixed(2),
    userSv: rebate.userSv.toFixed(2),
    merchantSv: rebate.merchantSv.toFixed(2),
  };
  // same transaction: same values; the deduction is posted last, with the settlement's points (in store and dine-in), so the
  // store's account — which all its payments lock — is held for the last few round trips only
  if (settlesOnPayment(o.kind, o.fulfilment)) return settleInTx(tx, o, { params, guidePriceFen, rebate }, deduction);
  await Promise.all([deduction ? postEntry(tx, deduction) : null, writeDoc(tx, ORDERS_COLL, o._id, o)]);
  return o;
}

/**
 * Settlement (SPEC §4.4), once per order: the points offset goes from the hold to the merchant; the buyer
 * and the merchant are credited shared value at this moment's parameters; the merchant's settled sales grow.
 */
export async function settleInTx(
  tx: Tx,
  order: OrderDoc,
  read?: { params: Params; guidePriceFen: number; rebate: OrderRebate },
  deduction?: PostEntryInput | null,
): Promise<OrderDoc> {
  if (order.settled) return order;
  // the parameters and guide price in force: as this transaction reads them (the caller may pass what it read
  // in this same transaction — the same snapshot, so the same values — and the order's rebate at them)
  const rebate = read?.rebate ?? orderRebate({ cashFen: order.cashFen, params: await getParams(tx), guidePriceFen: await getGuidePriceFen(tx) });
  const at = now();
  // the buyer's and the store's shared value are credited together, last, with the store's postings (below): the
  // store's documents, which all its payments lock, are then held for the last round trips only. (The two credits
  // share one W shard, drawn at random: server/holders.ts applyToHolders.)
  // the store's settled sales (merchant.mine salesFen) grow in this transaction, with the store's postings below:
  // written after the commit, a function killed right there lost the increment for good (proof/kill found it)
  // so is each product's units sold (the home feed's 已售), after the commit and for the same reason
  if (order.lines?.length) onCommit(tx, () => countSold(order.lines));
  const o: OrderDoc = {
    ...order,
    status: 'completed',
    completedAt: at,
    settled: true,
    userSv: rebate.userSv.toFixed(2),
    merchantSv: rebate.merchantSv.toFixed(2),
  };
  // then, last and together, what touches the store's account (the deduction of an in-store payment, the points
  // the buyer paid with), the order itself and, for goods, the deduction's release to the sweep (settled: no
  // refund can take it back any more)
  const points: PostEntryInput | null = dec(order.pointsUsed).gt(0)
    ? {
        key: `order:${order._id}:points`,
        kind: 'order_points_pay',
        debit: orderHold(order._id),
        credit: merchantAccount(order.merchantId),
        amount: order.pointsUsed,
        ref: order._id,
        memo: `订单 ${order._id} 顾客积分抵扣`,
        knownNew: true, // the order, locked, is not settled
      }
    : null;
  // (postings of one transaction may go out together, even on one account: server/ledger.ts lockAccount)
  await Promise.all([
    creditSvEach(tx, [
      { holderId: `user:${order.buyerOpenid}`, sv: rebate.userSv, key: `settle:${order._id}:user` },
      { holderId: `merchant:${order.merchantId}`, sv: rebate.merchantSv, key: `settle:${order._id}:merchant` },
    ]),
    deduction ? postEntry(tx, deduction) : null,
    points ? postEntry(tx, points) : null,
    !settlesOnPayment(order.kind, order.fulfilment) && order.deductionAccount && dec(order.merchantDeduction).gt(0) ? markInboxDue(tx, `order:${order._id}`) : null,
    writeDoc(tx, ORDERS_COLL, o._id, o),
    order.cashFen > 0 ? patchDoc(tx, MERCHANTS_COLL, order.merchantId, { salesFen: cmd().inc(order.cashFen) }) : null,
  ]);
  return o;
}

export type PaymentOutcome = 'paid' | 'duplicate' | 'refund' | 'mismatch' | 'unknown';

/**
 * A verified payment notification for an order (idempotent on the order's state: a second notification
 * finds it paid and changes nothing). A payment for an order already cancelled is refunded.
 */
export async function onOrderPaid(outTradeNo: string, totalFee: number, confirmed: string | null | ((o: OrderDoc) => Promise<string | null>)): Promise<PaymentOutcome> {
  // the WeChat Pay transaction id, once WeChat Pay confirmed the payment: given, or awaited from a confirmation
  // (queryOrder) the caller started before this transaction, checked against the order as locked here, which
  // throws when it does not confirm — the transaction then ends without a write, and nothing is applied
  const confirm = typeof confirmed === 'function' ? confirmed : async () => confirmed;
  // an outcome that changes nothing ends the transaction without its commit (the order's lock wrote lockSeq)
  const noChange = (outcome: PaymentOutcome) => Object.assign(new Error(`payment notification: ${outcome}, nothing to write`), { noChange: outcome });
  const outcome = await runTx(async (tx): Promise<PaymentOutcome> => {
    // the parameters and the guide price the payment uses, read meanwhile (reads only: nothing is written before
    // WeChat Pay confirms) and kept for this transaction (server/config.ts), so they are there when the confirmation is
    void Promise.all([getParams(tx), getGuidePriceFen(tx)]).catch(() => undefined);
    const o = await lockAndRead<OrderDoc>(tx, ORDERS_COLL, outTradeNo);
    if (!o) throw noChange('unknown');
    if (o.cashFen !== totalFee) throw noChange('mismatch');
    if (o.status === 'unpaid') {
      const p = await applyPaymentInTx(tx, o, await confirm(o));
      // after the payment's commit, never inside it: the messages and the store's day, from the order as this
      // payment committed it (no read again)
      onCommit(tx, () => afterOrderEvent(p, 'paid'));
      return 'paid';
    }
    if (o.status === 'cancelled' && !o.refund) {
      const transactionId = await confirm(o);
      const at = now();
      await writeDoc(tx, ORDERS_COLL, o._id, {
        ...o,
        status: 'refunded',
        refundedAt: at,
        transactionId,
        refund: { status: 'pending', outRefundNo: refundNoOf(o._id), by: 'system', reason: '订单已取消后支付，自动退款', attempts: 0 },
      });
      return 'refund';
    }
    throw noChange('duplicate');
  }).catch((e: unknown) => {
    const nothing = (e as { noChange?: PaymentOutcome })?.noChange;
    if (nothing) return nothing;
    throw e;
  });
  if (outcome === 'refund') await pushRefund(outTradeNo);
  return outcome;
}

// ---------------------------------------------------------------- state changes

export async function payOrder(openid: string, orderId: string): Promise<{ order: Order; pay: PaymentRequest | null }> {
  const o = ownOrder(await getOrder(orderId), openid);
  if (o.status !== 'unpaid') throw stateError(o, '支付');
  if (o.payExpiresAt <= now()) throw new DomainError('ORDER_EXPIRED', '订单已超时，请重新下单');
  const r = await payRequestFor(o);
  return { order: orderView(r.order), pay: r.pay };
}

export async function shipOrder(openid: string, orderId: string, carrier: string | null, trackingNo: string | null): Promise<Order> {
  const m = await requireMyMerchant(openid);
  return orderView(
    await runTx(async (tx) => {
      const o = await lockAndRead<OrderDoc>(tx, ORDERS_COLL, orderId);
      if (!o) throw new DomainError('ORDER_NOT_FOUND', '订单不存在');
      if (o.merchantId !== m._id) throw new DomainError('FORBIDDEN', '这不是你店铺的订单');
      if (o.kind !== 'goods') throw new DomainError('INVALID_STATE', '到店支付订单无需发货');
      if (!needsShipping(o.kind, o.fulfilment)) throw new DomainError('INVALID_STATE', o.fulfilment === 'pickup' ? '自提订单请核销取货码' : '堂食订单无需发货');
      if (o.status !== 'paid') throw stateError(o, '发货');
      // an order with an address goes by a carrier the buyer can follow
      if (o.address && (!carrier || !trackingNo)) throw new DomainError('INVALID_INPUT', '请填写快递公司和快递单号');
      const params = await getParams(tx);
      const at = now();
      // auto-confirm counts from shipping
      const next: OrderDoc = { ...o, status: 'shipped', shippedAt: at, carrier, trackingNo, autoConfirmAt: at + params.autoConfirmDays * 86_400_000 };
      await writeDoc(tx, ORDERS_COLL, orderId, next);
      return next;
    }).then(async (shipped) => {
      await afterOrderEvent(shipped, 'shipped');
      return shipped;
    }),
    'merchant',
  );
}

/**
 * The store completes a pickup order with the buyer's code (typed, or scanned with the order id). Handing the
 * goods over in person is the buyer's receipt: the order settles (SPEC §4.4). A code alone must name one
 * order of this store waiting for pickup; when two share it, the store is asked to scan the buyer's QR.
 */
export async function verifyPickup(openid: string, code: string, orderId: string | null): Promise<Order> {
  const m = await requireMyMerchant(openid);
  if (!PICKUP_CODE_RE.test(code)) throw new DomainError('INVALID_INPUT', '取货码是 6 位数字');
  let id = orderId;
  if (!id) {
    const res = await getDb().collection(ORDERS_COLL).where({ merchantId: m._id, pickupCode: code, status: 'paid' }).limit(2).get();
    const found = (res.data ?? []) as OrderDoc[];
    if (found.length === 0) throw new DomainError('PICKUP_CODE_INVALID', '取货码不正确，或订单已取货/已退款');
    if (found.length > 1) throw new DomainError('PICKUP_CODE_AMBIGUOUS', '有两个订单使用这个取货码，请扫描顾客的取货二维码');
    id = found[0]._id;
  }
  const o = await runTx(async (tx) => {
    const cur = await lockAndRead<OrderDoc>(tx, ORDERS_COLL, id!);
    // another store's order or a wrong code: the same answer, so codes cannot be probed across stores
    if (!cur || cur.merchantId !== m._id || cur.fulfilment !== 'pickup' || cur.pickupCode !== code) throw new DomainError('PICKUP_CODE_INVALID', '取货码不正确，或订单已取货/已退款');
    if (cur.status !== 'paid') throw stateError(cur, '核销取货');
    return settleInTx(tx, cur);
  });
  await afterOrderEvent(o, 'completed');
  return orderView(o, 'merchant');
}

/** The buyer confirms receipt, or the timeout does it `autoConfirmDays` after shipping (`auto`). */
export async function confirmOrder(openid: string | null, orderId: string): Promise<OrderDoc> {
  const o = await runTx(async (tx) => {
    const o = await lockAndRead<OrderDoc>(tx, ORDERS_COLL, orderId);
    if (openid === null) {
      if (!o || o.status !== 'shipped' || (o.autoConfirmAt ?? Infinity) > now()) return o as OrderDoc;
    } else {
      ownOrder(o, openid);
      if (o!.status !== 'shipped') throw stateError(o!, '确认收货');
    }
    return settleInTx(tx, o!);
  });
  if (o?.status === 'completed') await afterOrderEvent(o, 'completed');
  return o;
}

/** The buyer cancels an unpaid order, or the timeout does (`openid` null): stock and points go back. */
export async function cancelOrder(openid: string | null, orderId: string, reason: string): Promise<OrderDoc> {
  const o = await runTx(async (tx) => {
    const o = await lockAndRead<OrderDoc>(tx, ORDERS_COLL, orderId);
    if (openid === null) {
      if (!o || o.status !== 'unpaid' || o.payExpiresAt > now()) return o as OrderDoc;
    } else {
      ownOrder(o, openid);
      if (o!.status !== 'unpaid') throw stateError(o!, '取消');
    }
    const order = o!;
    await returnStockAndPoints(tx, order, 'order_points_release', 'release');
    const next: OrderDoc = { ...order, status: 'cancelled', cancelledAt: now(), cancelReason: reason };
    await writeDoc(tx, ORDERS_COLL, orderId, next);
    return next;
  });
  // the timer's cancel is news to the buyer; their own is not
  if (openid === null && o?.status === 'cancelled') await afterOrderEvent(o, 'cancelled');
  return o;
}

async function returnStockAndPoints(tx: Tx, o: OrderDoc, kind: string, tag: string): Promise<void> {
  for (const line of o.lines) await returnStockInTx(tx, line.productId, o.stockTaken?.[line.productId], line.quantity);
  if (dec(o.pointsUsed).gt(0)) {
    const held = await balanceIn(tx, orderHold(o._id));
    if (held.gt(0)) {
      await postEntry(tx, {
        key: `order:${o._id}:${tag}`,
        kind,
        debit: orderHold(o._id),
        credit: userAvailable(o.buyerOpenid),
        amount: held,
        ref: o._id,
        memo: `订单 ${o._id} 积分退回`,
      });
    }
  }
}

const refundNoOf = (orderId: string) => `R${orderId.slice(1)}`;

/**
 * Refund before settlement: the buyer while the order is paid and not shipped; the merchant while paid or
 * shipped. The deduction goes back to the merchant, the points to the buyer, the stock to the shelf, and
 * the cash back through cloudPay.refund (retried by the timeouts function until WeChat Pay accepts it).
 */
export async function refundOrder(openid: string, orderId: string, reason: string): Promise<OrderDoc> {
  const o = await runTx(async (tx) => {
    const order = ownOrder(await lockAndRead<OrderDoc>(tx, ORDERS_COLL, orderId), openid, 'either');
    const byMerchant = order.merchantOwnerOpenid === openid;
    if (order.settled || order.status === 'completed') throw new DomainError('INVALID_STATE', '订单已结算，不能退款');
    if (order.status !== 'paid' && order.status !== 'shipped') throw stateError(order, '退款');
    if (order.status === 'shipped' && !byMerchant) throw new DomainError('INVALID_STATE', '商家已发货，请联系商家退款');
    const deduction = dec(order.merchantDeduction);
    if (deduction.gt(0)) {
      // the deduction waits in the order's inbox until settlement (the sweep takes settled orders only), so it is
      // there; orders paid before the inbox existed were credited to the treasury itself
      const from = order.deductionAccount ?? TREASURY;
      if ((await balanceIn(tx, from)).lt(deduction)) throw new DomainError('TREASURY_SHORT', '平台储备暂时不足，请稍后再试');
      await postEntry(tx, {
        key: `order:${orderId}:deduction-refund`,
        kind: 'order_deduction_refund',
        debit: from,
        credit: merchantAccount(order.merchantId),
        amount: deduction,
        ref: orderId,
        memo: `订单 ${orderId} 退款，让利退回`,
      });
    }
    await returnStockAndPoints(tx, order, 'order_points_refund', 'refund');
    const next: OrderDoc = {
      ...order,
      status: 'refunded',
      refundedAt: now(),
      refund: { status: order.cashFen > 0 ? 'pending' : 'none', outRefundNo: refundNoOf(orderId), by: byMerchant ? 'merchant' : 'buyer', reason, attempts: 0 },
    };
    await writeDoc(tx, ORDERS_COLL, orderId, next);
    return next;
  });
  await afterOrderEvent(o, 'refunded');
  if (o.refund?.status === 'pending') return (await pushRefund(orderId)) ?? o;
  return o;
}

/** Ask WeChat Pay to refund a refunded order's cash; record the outcome. Safe to repeat (out_refund_no). */
export async function pushRefund(orderId: string): Promise<OrderDoc | null> {
  const o = await getOrder(orderId);
  if (!o || !o.refund || o.refund.status !== 'pending') return o;
  let ok = false;
  let lastError: string | null = null;
  try {
    const r = await payRefund({ outTradeNo: o.outTradeNo, outRefundNo: o.refund.outRefundNo, totalFee: o.cashFen, refundFee: o.cashFen, subMchId: o.subMchId });
    ok = r.ok;
    if (!ok) lastError = JSON.stringify(r.detail ?? null).slice(0, 300);
  } catch (e) {
    lastError = String((e as Error)?.message ?? e).slice(0, 300);
    console.error('[order] refund call failed', orderId, e);
  }
  return runTx(async (tx) => {
    const cur = await lockAndRead<OrderDoc>(tx, ORDERS_COLL, orderId);
    if (!cur || !cur.refund || cur.refund.status !== 'pending') return cur;
    const next: OrderDoc = { ...cur, refund: { ...cur.refund, status: ok ? 'done' : 'pending', attempts: cur.refund.attempts + 1, lastError } };
    await writeDoc(tx, ORDERS_COLL, orderId, next);
    return next;
  });
}

// ---------------------------------------------------------------- lists

const STATUSES: OrderStatus[] = ['unpaid', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'];

export async function listOrders(by: { buyerOpenid?: string; merchantId?: string }, status: OrderStatus | undefined, cur: string | null, pageSize = 20, viewer: 'buyer' | 'merchant' = 'buyer'): Promise<Page<Order>> {
  const db = getDb();
  const _ = db.command;
  const base: AnyDoc = { ...by };
  if (status) base.status = status;
  let where: AnyDoc = base;
  if (cur) {
    const m = /^(\d+)\|([A-Za-z0-9_-]+)$/.exec(cur);
    if (!m) throw new DomainError('BAD_CURSOR', '翻页参数无效');
    const at = Number(m[1]);
    where = _.and([base, _.or([{ createdAt: _.lt(at) }, { createdAt: at, _id: _.lt(m[2]) }])]);
  }
  const res = await db.collection(ORDERS_COLL).where(where).orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(pageSize + 1).get();
  const list = (res.data ?? []) as OrderDoc[];
  const page = list.slice(0, pageSize);
  const last = page[page.length - 1];
  return { items: page.map((o) => orderView(o, viewer)), nextCursor: list.length > pageSize && last ? `${last.createdAt}|${last._id}` : null };
}

function readStatus(p: Payload): OrderStatus | undefined {
  const s = p.status;
  if (s === undefined || s === null || s === '') return undefined;
  if (typeof s !== 'string' || !(STATUSES as string[]).includes(s)) throw new DomainError('INVALID_INPUT', `订单状态必须是 ${STATUSES.join(' / ')} 之一`);
  return s as OrderStatus;
}

// ---------------------------------------------------------------- timeouts

/**
 * Before an unpaid order is cancelled: close its WeChat Pay trade so it can no longer be paid; if it was
 * paid meanwhile (the notification not yet here), process the payment instead and return 'paid'. 'later': WeChat
 * Pay confirms the payment but it could not be applied now (its store's documents busy, the database failing):
 * the order must not be cancelled; the notification's next try, or the job's next pass, applies it.
 */
export async function closeOrFindPaid(o: OrderDoc): Promise<'paid' | 'closed' | 'later'> {
  if (o.cashFen <= 0) return 'closed'; // nothing to pay: no WeChat Pay trade
  const closed = await closeOrder(o.outTradeNo, o.subMchId);
  if (closed === 'closed') return 'closed';
  const r = await applyIfPaid(o);
  return r === 'applied' ? 'paid' : r === 'failed' ? 'later' : 'closed';
}

/**
 * Ask WeChat Pay whether the order's trade was paid; if it confirms, apply the payment (once): 'applied'; 'failed'
 * when it confirms but the payment could not be applied; 'unpaid' otherwise (WeChat Pay does not confirm it, or
 * cannot be asked).
 */
async function applyIfPaid(o: OrderDoc): Promise<'applied' | 'unpaid' | 'failed'> {
  let q: PaidState | null;
  try {
    q = await queryOrder(o.outTradeNo, o.subMchId);
  } catch (e) {
    console.warn('[order] queryOrder failed', o._id, e);
    return 'unpaid';
  }
  if (!confirmsPayment(q, { outTradeNo: o.outTradeNo, totalFee: o.cashFen, subMchId: o.subMchId })) return 'unpaid';
  try {
    const r = await onOrderPaid(o._id, o.cashFen, q.transactionId);
    return r === 'paid' || r === 'duplicate' ? 'applied' : 'unpaid';
  } catch (e) {
    console.warn('[order] a payment WeChat Pay confirms could not be applied now', o._id, (e as Error)?.message ?? e);
    return 'failed';
  }
}

/** Orders the timeouts job settles or cancels at once (server/pool.ts). */
export const TIMEOUTS_AT_ONCE = 8;

/** What the every-minute timer does about orders and deposit purchases. */
export async function runOrderTimeouts(budgetMs = 40_000): Promise<{ cancelled: number; confirmed: number; paidLate: number; paidPending: number; refunds: number; purchasesCancelled: number }> {
  const started = Date.now();
  const db = getDb();
  const _ = db.command;
  const out = { cancelled: 0, confirmed: 0, paidLate: 0, paidPending: 0, refunds: 0, purchasesCancelled: 0 };
  const inBudget = () => Date.now() - started < budgetMs;
  const t = now();

  // unpaid orders past their time: ask WeChat Pay first (a payment may be on its way), then cancel. Page by page
  // from where the last one ended: an order left unpaid (a payment that cannot be applied yet, a cancel refused)
  // would otherwise head every page again, and 100 of them would hide the rest from this run
  let from: number | null = null;
  const seen = new Set<string>();
  for (let round = 0; round < 20 && inBudget(); round++) {
    const due = from === null ? _.lte(t) : _.gte(from).and(_.lte(t));
    const res = await db.collection(ORDERS_COLL).where({ status: 'unpaid', payExpiresAt: due }).orderBy('payExpiresAt', 'asc').limit(100).get();
    const page = (res.data ?? []) as OrderDoc[];
    // orders expiring at the same millisecond as the last page's last one are read again: those seen are skipped
    const list = page.filter((o) => !seen.has(o._id));
    if (list.length === 0) break;
    for (const o of list) seen.add(o._id);
    from = page[page.length - 1].payExpiresAt;
    // several at once: each waits for WeChat Pay (close, then query) and its transaction's round trips, and a
    // backlog (notifications lost for a while, a store paid faster than it settles) is cleared that much sooner
    await eachAtMost(
      list,
      TIMEOUTS_AT_ONCE,
      async (o) => {
        const found = await closeOrFindPaid(o);
        if (found === 'paid') out.paidLate++;
        if (found === 'later') out.paidPending++;
        if (found === 'closed') {
          const c = await cancelOrder(null, o._id, '超时未支付，自动取消');
          if (c?.status === 'cancelled') out.cancelled++;
        }
      },
      inBudget,
    );
    if (page.length < 100) break;
  }

  // shipped orders past the auto-confirm time
  for (let round = 0; round < 20 && inBudget(); round++) {
    const res = await db.collection(ORDERS_COLL).where({ status: 'shipped', autoConfirmAt: _.lte(t) }).orderBy('autoConfirmAt', 'asc').limit(100).get();
    const list = (res.data ?? []) as OrderDoc[];
    if (list.length === 0) break;
    for (const o of list) {
      if (!inBudget()) break;
      const c = await confirmOrder(null, o._id);
      if (c?.status === 'completed') out.confirmed++;
    }
    if (list.length < 100) break;
  }

  // refunds WeChat Pay has not accepted yet
  if (inBudget()) {
    const res = await db.collection(ORDERS_COLL).where({ 'refund.status': 'pending' }).limit(100).get();
    for (const o of (res.data ?? []) as OrderDoc[]) {
      if (!inBudget()) break;
      const r = await pushRefund(o._id);
      if (r?.refund?.status === 'done') out.refunds++;
    }
  }

  // deposit purchases not paid in time
  for (let round = 0; round < 20 && inBudget(); round++) {
    const res = await db.collection(PURCHASES_COLL).where({ status: 'unpaid', payExpiresAt: _.lte(t) }).limit(100).get();
    const list = (res.data ?? []) as { _id: string }[];
    if (list.length === 0) break;
    for (const p of list) if (inBudget() && (await expirePurchase(p._id)) === 'cancelled') out.purchasesCancelled++;
    if (list.length < 100) break;
  }
  return out;
}

// ---------------------------------------------------------------- actions (cloudfunctions/order, and the merchant's order actions)

export const orderActions = {
  async quote(p: Payload, caller: { openid: string }) {
    return quote(caller.openid, p);
  },
  async create(p: Payload, caller: { openid: string }) {
    return createOrder(caller.openid, p);
  },
  async pay(p: Payload, caller: { openid: string }) {
    return payOrder(caller.openid, idOf(p, 'orderId', '订单'));
  },
  async list(p: Payload, caller: { openid: string }): Promise<Page<Order>> {
    return listOrders({ buyerOpenid: caller.openid }, readStatus(p), cursorOf(p, CURSOR_SHAPES.orderAt));
  },
  async get(p: Payload, caller: { openid: string }): Promise<Order> {
    const o = ownOrder(await getOrder(idOf(p, 'orderId', '订单')), caller.openid, 'either');
    return orderView(o, o.buyerOpenid === caller.openid ? 'buyer' : 'merchant');
  },
  async confirm(p: Payload, caller: { openid: string }): Promise<Order> {
    return orderView(await confirmOrder(caller.openid, idOf(p, 'orderId', '订单')));
  },
  async cancel(p: Payload, caller: { openid: string }): Promise<Order> {
    const orderId = idOf(p, 'orderId', '订单');
    const o = ownOrder(await getOrder(orderId), caller.openid);
    if (o.status !== 'unpaid') throw stateError(o, '取消');
    const found = await closeOrFindPaid(o);
    if (found === 'paid') throw new DomainError('INVALID_STATE', '订单已支付，不能取消');
    // paid, but the payment could not be applied yet: nothing changed, the buyer looks again in a moment
    if (found === 'later') throw new DomainError('BUSY', '该订单已支付，正在确认中，请稍后刷新');
    return orderView(await cancelOrder(caller.openid, orderId, '买家取消'));
  },
  async refund(p: Payload, caller: { openid: string }): Promise<Order> {
    const reason = optStr(p, 'reason', { label: '退款原因', min: 0, max: 200 }) ?? '';
    return orderView(await refundOrder(caller.openid, idOf(p, 'orderId', '订单'), reason));
  },
};

export const merchantOrderActions = {
  async orders(p: Payload, caller: { openid: string }): Promise<Page<Order>> {
    const m = await requireMyMerchant(caller.openid);
    return listOrders({ merchantId: m._id }, readStatus(p), cursorOf(p, CURSOR_SHAPES.orderAt), 20, 'merchant');
  },
  async ship(p: Payload, caller: { openid: string }): Promise<Order> {
    const carrier = optStr(p, 'carrier', { label: '快递公司', min: 0, max: 20 }) || null;
    const trackingNo = optStr(p, 'trackingNo', { label: '物流单号', min: 0, max: 40 }) || null;
    return shipOrder(caller.openid, idOf(p, 'orderId', '订单'), carrier, trackingNo);
  },
  async verifyPickup(p: Payload, caller: { openid: string }): Promise<Order> {
    const code = str(p, 'code', { label: '取货码', min: 1, max: 10 });
    return verifyPickup(caller.openid, code, optId(p, 'orderId', '订单') ?? null);
  },
};
