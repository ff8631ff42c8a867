/**
 * The API between the mini-program and the cloud functions: one place for every action's request and
 * response, so the client and the functions cannot drift apart. Amounts: cash in integer fen; points
 * and shared value as decimal strings with 2 decimals (shared value may be shown floored to 2).
 * Times: epoch milliseconds. Mutating actions carry `requestId` (idempotency key, 8–64 of [A-Za-z0-9_-]).
 */

import type { ParamName, Params } from './params';
import type { SimAssumptions, SimSeries, SimSummary } from './simulate';
export type ApiError = { code: string; message: string };
export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export type Page<T> = { items: T[]; nextCursor: string | null };

// ---------- user ----------
export type Role = 'user' | 'merchant' | 'admin';

export interface Me {
  openid: string;
  userNo: string; // short number used for transfers
  nickname: string;
  avatarUrl: string;
  roles: Role[];
  merchantId: string | null;
  referrerUserNo: string | null;
  riskAccepted: boolean;
  createdAt: number;
}

export interface Assets {
  sharedValue: string; // current shared value (after lazy settlement), floored to 0.01 for display
  available: string; // available points
  escrow: string; // points in market escrow
  unsettled: string; // released to this user but not yet credited (0 after a settle-on-read)
  guidePriceFen: number;
  businessDay: string;
  nextReleaseAt: number;
}

export interface LedgerItem {
  id: string;
  kind: string; // see LEDGER_KIND_LABELS
  amount: string; // signed from this user's point of view: "+8.88" / "-50.00"
  account: string; // which of my accounts it touched ('available' | 'escrow' | 'merchant')
  at: number;
  memo: string; // human words, e.g. "3月5日释放", "订单 O123 抵扣"
}

export interface ReleaseStatement {
  day: string; // YYYY-MM-DD
  pointsReceived: string;
  svConsumed: string;
  svAfter: string;
  totalSv: string; // T
  released: string; // R actually released that day
  guidePriceFen: number; // P
}

export interface UserApi {
  login: { req: { referrerUserNo?: string; referrerMerchantId?: string }; res: Me };
  updateProfile: { req: { nickname?: string; avatarUrl?: string }; res: Me };
  acceptRisk: { req: Record<string, never>; res: Me };
  assets: { req: Record<string, never>; res: Assets };
  ledger: { req: { cursor?: string | null; limit?: number }; res: Page<LedgerItem> };
  statements: { req: { days?: number }; res: { items: ReleaseStatement[] } };
  transfer: { req: { toUserNo: string; points: string; requestId: string; memo?: string }; res: { transferId: string; available: string } };
  /** Who a user number belongs to (nickname and avatar only), before a transfer; 30 look-ups per 10 minutes. */
  lookup: { req: { userNo: string }; res: { userNo: string; nickname: string; avatarUrl: string } };
  /** After wx.requestSubscribeMessage: whether to send this user the daily release notice. */
  subscribeRelease: { req: { accepted: boolean }; res: { enabled: boolean; credits: number } };
  /** The address book (issue 15): at most 20 addresses; the default first. */
  addresses: { req: Record<string, never>; res: { items: SavedAddress[] } };
  saveAddress: { req: Address & { id?: string; isDefault?: boolean }; res: { items: SavedAddress[]; saved: SavedAddress } };
  deleteAddress: { req: { id: string }; res: { items: SavedAddress[] } };
  /** The message centre (issue 15): newest first, 20 a page. */
  messages: { req: { kind?: MessageKind; cursor?: string | null }; res: Page<Message> };
  invitees: { req: { cursor?: string | null; limit?: number }; res: Page<Invitee> };
  unread: { req: Record<string, never>; res: UnreadCounts };
  readMessages: { req: { ids?: string[]; all?: boolean; kind?: MessageKind }; res: UnreadCounts };
}

export type MessageKind = 'order' | 'trade' | 'release' | 'appeal' | 'approval';
export interface Message {
  id: string;
  kind: MessageKind;
  title: string;
  body: string;
  link: string; // the page that shows what it is about
  at: number;
  read: boolean;
}
export interface UnreadCounts { total: number; byKind: Record<MessageKind, number> }

/** A delivery address (from WeChat's address picker on weapp, or the form on h5). */
export interface Address { name: string; phone: string; region: string; detail: string }
export interface SavedAddress extends Address { id: string; isDefault: boolean; updatedAt: number }

/** user.invitees (我邀请的人, issue 15): a user the caller referred, one level only. */
export interface Invitee {
  userNo: string;
  nickname: string;
  avatarUrl: string;
  joinedAt: number;
  /** how they came: the caller's share card or code (`user`), or the caller's store (`merchant`) */
  via: 'user' | 'merchant';
}

// ---------- merchant ----------
export type MerchantStatus = 'pending' | 'rejected' | 'approved' | 'active' | 'suspended';

export interface MerchantSummary {
  id: string;
  name: string;
  category: string;
  address: string;
  logoUrl: string;
  status: MerchantStatus;
  acceptingOrders: boolean; // active and points balance ≥ 0
  fulfilmentModes: FulfilmentMode[]; // what the store offers for goods (issue 15)
}

/** A product in search results and the home feed (issue 15): with its store's name and units sold. */
export interface ProductHit extends Product {
  storeName: string;
  sold: number;
}

/** merchant.search: stores (first page only, up to 10) and a page of products. */
export interface SearchResult {
  stores: MerchantSummary[];
  products: ProductHit[];
  nextCursor: string | null;
}

/** A home-page banner set by the admin (admin.setBanners): an image and a title linking to a store. */
export interface Banner {
  image: string;
  title: string;
  merchantId: string;
}

/** merchant.home: the banners and the products that sell most (units sold, counted after each sale). */
export interface HomeFeed {
  banners: Banner[];
  hot: ProductHit[];
}

export interface MerchantDetail extends MerchantSummary {
  contact: string;
  description: string;
  products: Product[];
}

/**
 * The check of a merchant's WeChat Pay sub-merchant id against the environment (server/pay.ts
 * probeSubMerchant): bound = it can take payments here; not_bound = WeChat Pay refused the service relation;
 * unknown = the probe got no clear answer.
 */
export interface SubMchCheck {
  status: 'bound' | 'not_bound' | 'unknown';
  detail: string;
  at: number;
}

export interface MerchantPrivate extends MerchantDetail {
  ownerOpenid: string;
  licenseImage: string;
  subMchId: string;
  /** The last check of subMchId (admin.checkSubMerchant, admin.approveMerchant); null before the first. */
  subMchCheck: SubMchCheck | null;
  rejectReason: string | null;
  /** While suspended by an admin: why and since when (shown to the owner). No new orders; open orders go on. */
  suspension: { reason: string; at: number } | null;
  /** The last reinstatement after a suspension: why and when. */
  reinstatement: { reason: string; at: number } | null;
  pointsBalance: string; // may be negative
  depositValueFen: number; // required deposit value at today's guide price
  depositPointsNeeded: string; // points still to buy to be active / back above the requirement
  sharedValue: string;
  salesFen: number; // settled cash sales
  createdAt: number;
}

export interface Product {
  id: string;
  merchantId: string;
  title: string;
  priceFen: number;
  stock: number;
  images: string[];
  description: string;
  onShelf: boolean;
  /** Narrows the store's modes for this product; empty = all the store's modes. */
  fulfilmentModes: FulfilmentMode[];
  /** Descriptive specifications (规格), at most 10. */
  specs: ProductSpec[];
}

export interface ProductSpec { name: string; value: string }

/** The merchant centre's figures (server/storeStats.ts). */
export interface StoreDay { day: string; orders: number; amountFen: number; cashFen: number; refunds: number; refundFen: number }
export interface StoreDashboard {
  today: StoreDay;
  month: StoreDay & { days: number };
  recent: StoreDay[]; // the last 14 business days, oldest first
  toHandle: number; // paid goods orders to ship or to hand over
  pointsBalance: string;
  sharedValue: string;
  svHistory: { day: string; svAfter: string; pointsReceived: string }[]; // oldest first
}

export interface MerchantApplication {
  name: string;
  category: string;
  address: string;
  contact: string;
  licenseImage: string; // cloud file id or url
  subMchId: string;
  description?: string;
}

export interface PaymentRequest {
  outTradeNo: string;
  totalFee: number; // fen
  payment: Record<string, string>; // pass to Taro.requestPayment on weapp; local runtime: POST /__local/pay
}

export interface MerchantApi {
  categories: { req: Record<string, never>; res: { items: string[] } };
  list: { req: { keyword?: string; category?: string; cursor?: string | null }; res: Page<MerchantSummary> };
  get: { req: { merchantId: string }; res: MerchantDetail };
  search: { req: { keyword: string; cursor?: string | null; limit?: number }; res: SearchResult };
  home: { req: { limit?: number; category?: string }; res: HomeFeed };
  apply: { req: MerchantApplication & { requestId: string }; res: MerchantPrivate };
  mine: { req: Record<string, never>; res: MerchantPrivate | null };
  buyDeposit: { req: { points: string; requestId: string }; res: { purchaseId: string; priceFen: number; pay: PaymentRequest } };
  saveProduct: { req: Partial<Omit<Product, 'merchantId'>> & { title: string; priceFen: number; stock: number; requestId: string }; res: Product };
  setOnShelf: { req: { productId: string; onShelf: boolean }; res: Product };
  products: { req: Record<string, never>; res: { items: Product[] } }; // my catalogue, on and off shelf
  payCode: { req: Record<string, never>; res: { page: string; scene: string; imageUrl: string } };
  /** Issue 15: the share poster's mini-program code (scene: store, product, the caller as referrer; shared/poster.ts). */
  posterCode: { req: { merchantId: string; productId?: string }; res: { page: string; scene: string; imageUrl: string } };
  orders: { req: { status?: OrderStatus; cursor?: string | null }; res: Page<Order> };
  ship: { req: { orderId: string; carrier?: string; trackingNo?: string }; res: Order };
  /** Issue 15: the modes the store offers for goods. */
  setFulfilment: { req: { modes: FulfilmentMode[] }; res: MerchantPrivate };
  /** Issue 15: complete a pickup order with the code the buyer shows (typed, or scanned as `pickup:<orderId>:<code>`). */
  verifyPickup: { req: { code: string; orderId?: string }; res: Order };
  /** Issue 15: the merchant centre's figures. */
  dashboard: { req: Record<string, never>; res: StoreDashboard };
  /** Issue 15: delete a product (kept for its orders, gone from every list). */
  deleteProduct: { req: { productId: string }; res: { ok: true } };
  /** Added (issue 4): move points between the owner's available points and the store (in: e.g. bought on the
   * C2C market for the deposit; out: only what is above the deposit requirement). */
  movePoints: { req: { direction: 'toMerchant' | 'toAvailable'; points: string; requestId: string }; res: MerchantPrivate };
  /** Added (issue 11): the store's release statement, as user.statements gives a user's (SPEC §5). */
  statements: { req: { days?: number }; res: { items: ReleaseStatement[] } };
}

// ---------- order ----------
export type OrderStatus = 'unpaid' | 'paid' | 'shipped' | 'completed' | 'cancelled' | 'refunded';
export type OrderKind = 'goods' | 'instore';
/** How goods reach the buyer (shared/fulfilment.ts). */
export type FulfilmentMode = 'delivery' | 'pickup' | 'dinein';

export interface OrderLine { productId: string; title: string; priceFen: number; quantity: number }

export interface Order {
  id: string;
  kind: OrderKind;
  merchantId: string;
  merchantName: string;
  buyerUserNo: string; // the buyer's public user number (an openid is never shown to anyone else)
  lines: OrderLine[];
  amountFen: number; // goods total or the typed in-store amount
  pointsUsed: string; // points paid
  pointsFen: number; // what those points took off
  cashFen: number; // paid by WeChat Pay
  guidePriceFen: number; // at creation
  merchantDeduction: string; // points taken from the merchant at payment
  userSv: string; // shared value credited at settlement ("0.00" until the order is settled)
  merchantSv: string;
  expectedUserSv: string | null; // what settlement will credit the buyer (unpaid/paid/shipped); null once settled or closed
  expectedMerchantSv: string | null;
  status: OrderStatus;
  createdAt: number;
  paidAt: number | null;
  shippedAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
  refundedAt: number | null;
  autoConfirmAt: number | null;
  payExpiresAt: number;
  fulfilment: FulfilmentMode | null; // null for an in-store payment
  address: Address | null; // delivery orders
  note: string; // the buyer's note to the store
  carrier: string | null; // set when shipped
  trackingNo: string | null;
  /** Pickup orders, shown to the buyer only (the store types or scans it to complete the order). */
  pickupCode: string | null;
}

export interface OrderApi {
  quote: { req: { merchantId: string; items?: { productId: string; quantity: number }[]; amountFen?: number; points?: string }; res: { amountFen: number; maxPoints: string; pointsFen: number; cashFen: number; guidePriceFen: number } };
  create: { req: { merchantId: string; items?: { productId: string; quantity: number }[]; amountFen?: number; points?: string; fulfilment?: FulfilmentMode; address?: Address; note?: string; requestId: string }; res: { order: Order; pay: PaymentRequest | null } };
  pay: { req: { orderId: string }; res: { order: Order; pay: PaymentRequest | null } };
  list: { req: { status?: OrderStatus; cursor?: string | null }; res: Page<Order> };
  get: { req: { orderId: string }; res: Order };
  confirm: { req: { orderId: string }; res: Order };
  cancel: { req: { orderId: string }; res: Order };
  refund: { req: { orderId: string; reason?: string }; res: Order };
}

// ---------- market ----------
export type Side = 'buy' | 'sell';
export type MarketOrderStatus = 'open' | 'filled' | 'cancelled';
export type TradeStatus = 'awaiting_payment' | 'paid' | 'completed' | 'cancelled' | 'appealed';

export interface MarketOrder {
  id: string;
  side: Side;
  priceFen: number;
  quantity: string;
  remaining: string;
  feeEscrowed: string; // sell orders: fee held in escrow for the unmatched part
  status: MarketOrderStatus;
  createdAt: number;
}

export interface Trade {
  id: string;
  buyOrderId: string;
  sellOrderId: string;
  role: 'buyer' | 'seller'; // my side of it
  priceFen: number;
  quantity: string;
  amountFen: number; // cash the buyer pays the seller directly
  fee: string; // points, paid by the seller
  status: TradeStatus;
  createdAt: number;
  payDeadline: number;
  paidAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
  appealableAt: number | null;
  appeal: {
    by: 'buyer' | 'seller';
    reason: string;
    at: number;
    proofs: AppealProof[]; // screenshots from both sides, oldest first (the appellant's first)
    decision?: 'release' | 'return';
    decisionReason?: string;
    decidedAt?: number;
  } | null;
  counterpartUserNo: string;
  counterpartNickname: string; // the other side's nickname: the seller matches the payment to the payer's name
  counterpartAvatarUrl: string;
  cancelReason: 'lapsed' | 'appeal_return' | 'buyer_cancelled' | null;
  sellerPayment: PaymentDetails | null; // only for the buyer of this trade
}

export interface AppealProof { by: 'buyer' | 'seller'; imageUrl: string; note: string; at: number }

/** One step of a trade's life, for the admin deciding an appeal. */
export interface TradeEvent { at: number; what: string }

export type AppealItem = Trade & { buyerUserNo: string; sellerUserNo: string; buyerNickname: string; sellerNickname: string; timeline: TradeEvent[] };

export interface PaymentDetails { qrImageUrl: string | null; accountText: string | null }

export interface DepthLevel { priceFen: number; quantity: string }

export interface MarketApi {
  depth: { req: { levels?: number }; res: { bids: DepthLevel[]; asks: DepthLevel[]; guidePriceFen: number; minPriceFen: number; maxPriceFen: number; feeRate: string } };
  recentTrades: { req: { limit?: number }; res: { items: { priceFen: number; quantity: string; at: number }[] } };
  stats: { req: { day?: string }; res: { day: string; volume: string; vwapFen: number | null; trades: number; history: { day: string; guidePriceFen: number; vwapFen: number | null; volume: string }[] } };
  place: { req: { side: Side; priceFen: number; quantity: string; requestId: string }; res: { order: MarketOrder; trades: Trade[] } };
  cancel: { req: { orderId: string }; res: MarketOrder };
  myOrders: { req: { status?: MarketOrderStatus; cursor?: string | null }; res: Page<MarketOrder> };
  myTrades: { req: { status?: TradeStatus; cursor?: string | null }; res: Page<Trade> };
  trade: { req: { tradeId: string }; res: Trade };
  markPaid: { req: { tradeId: string }; res: Trade };
  confirm: { req: { tradeId: string }; res: Trade };
  /** Needs a screenshot as proof (a cloud file id from the upload). */
  appeal: { req: { tradeId: string; reason: string; proofImage: string }; res: Trade };
  /** Either side of an appealed trade adds a screenshot (at most 3 each). */
  addProof: { req: { tradeId: string; proofImage: string; note?: string }; res: Trade };
  /** The buyer withdraws before paying; counts as a lapse. */
  cancelTrade: { req: { tradeId: string }; res: Trade };
  setPaymentDetails: { req: { qrImageUrl?: string | null; accountText?: string | null }; res: PaymentDetails };
  getPaymentDetails: { req: Record<string, never>; res: PaymentDetails };
}

// ---------- admin ----------
export interface AuditRecord {
  id: string;
  by: string; // the admin's user number ("系统" for the platform's own actions); never an openid
  byName: string; // the admin's nickname
  at: number;
  what: string; // machine key, e.g. "param:marketFeeRate"
  whatText: string; // in Chinese: "修改参数：C2C交易手续费率"
  old: unknown; // openids removed
  new: unknown;
  change: string; // old → new in words: "5% → 12.3%"
  reason: string | null;
}

export interface ReleaseDayRecord {
  day: string;
  totalSv: string; // T
  scheduled: string; // R scheduled
  released: string; // actually released
  guidePriceFen: number; // P
  svConsumed: string;
  holders: number;
  roundingLeft: string; // accrues as holders settle; shown as known so far
  at: number;
  nextGuidePriceFen: number;
}

export interface Dashboard {
  totalSv: string;
  circulatingPoints: string; // Σ available + escrow + merchant balances
  treasury: string;
  /** Treasury points reserved for unpaid deposit purchases (not circulating, not in `treasury`). */
  treasuryReserved: string;
  pool: string;
  unissued: string;
  released: string;
  guidePriceFen: number;
  users: number;
  merchants: number;
  releases: ReleaseDayRecord[]; // recent, newest first
  priceHistory: { day: string; guidePriceFen: number }[];
}

/** The admin's farming view (issue 14.9; rules in shared/farming.ts): user numbers only. */
export interface FarmingView {
  from: number;
  to: number;
  /** Orders and trades read (the newest of the window, at most 2,000 each); `truncated` when there were more. */
  scanned: { orders: number; trades: number; truncated: boolean };
  thresholds: { repeatPayerOrders: number; repeatPairTrades: number };
  /** One payer at one store at least `repeatPayerOrders` times. */
  repeatedPayers: { buyerUserNo: string; merchantId: string; orders: number; cashFen: number; userSv: string }[];
  /** A store's owner and its customer linked: by referral, or each paying at the other's store. */
  selfDealing: { kind: 'referral' | 'reciprocal'; buyerUserNo: string; ownerUserNo: string; merchantId: string; orders: number; cashFen: number; userSv: string }[];
  /** Trades between linked users (referral, or at least `repeatPairTrades` between the same two): left out of the guide price. */
  pairTrades: { aUserNo: string; bUserNo: string; link: 'referral' | 'repeat'; trades: number; volume: string; avgPriceFen: number }[];
}

export interface AdminApi {
  params: {
    req: Record<string, never>;
    res: {
      params: Record<string, unknown>;
      labels: Record<string, string>; // Chinese names
      units: Record<string, 'percent' | 'yuan' | 'points' | 'times' | 'hourOfDay' | 'days' | 'minutes' | 'hours' | 'count'>;
      display: Record<string, string>; // the value in words: "5%", "¥500.00"
      locked: string[]; // fixed at launch: cannot be changed
    };
  };
  /** A change needs a reason (≥ 2 characters, kept in the audit); the same value again changes nothing. */
  setParam: { req: { name: string; value: unknown; reason: string }; res: { params: Record<string, unknown> } };
  audit: { req: { cursor?: string | null }; res: Page<AuditRecord> };
  admins: { req: Record<string, never>; res: { items: { openid: string; userNo: string; nickname: string }[] } };
  addAdmin: { req: { userNo: string }; res: { ok: true } };
  removeAdmin: { req: { userNo: string }; res: { ok: true } };
  pendingMerchants: { req: { cursor?: string | null }; res: Page<MerchantPrivate> };
  approveMerchant: { req: { merchantId: string }; res: MerchantPrivate };
  /** Probe the applicant's sub-merchant id (cloudPay) and keep the answer on the application. */
  checkSubMerchant: { req: { merchantId: string }; res: MerchantPrivate };
  rejectMerchant: { req: { merchantId: string; reason: string }; res: MerchantPrivate };
  suspendMerchant: { req: { merchantId: string; reason: string }; res: MerchantPrivate };
  setBanners: { req: { banners: Banner[] }; res: { items: Banner[] } };
  reinstateMerchant: { req: { merchantId: string; reason: string }; res: MerchantPrivate };
  appeals: { req: { cursor?: string | null; status?: 'pending' | 'decided' }; res: Page<AppealItem> };
  decideAppeal: { req: { tradeId: string; decision: 'release' | 'return'; reason: string }; res: AppealItem };
  setGuidePrice: { req: { priceFen: number; reason: string }; res: { guidePriceFen: number } };
  releaseStatus: { req: Record<string, never>; res: { lastReleasedDay: string | null; dueDays: string[]; nextReleaseAt: number; released: string; remaining: string; recent: ReleaseDayRecord[] } };
  releaseNow: { req: Record<string, never>; res: { released: ReleaseDayRecord[] } };
  dashboard: { req: Record<string, never>; res: Dashboard };
  farming: { req: { days?: number }; res: FarmingView };
  /** The economy sandbox (shared/simulate.ts on the live parameters with these changes); writes nothing. */
  simulate: { req: { params?: Partial<Record<ParamName, string | number>>; assumptions?: Partial<SimAssumptions> }; res: { params: Params; assumptions: SimAssumptions; summary: SimSummary; series: SimSeries; ms: number } };
}

export interface Api {
  user: UserApi;
  merchant: MerchantApi;
  order: OrderApi;
  market: MarketApi;
  admin: AdminApi;
}

export type FunctionName = keyof Api;
export type ActionName<F extends FunctionName> = keyof Api[F] & string;
export type RequestOf<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends { req: infer R } ? R : never;
export type ResponseOf<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends { res: infer R } ? R : never;
