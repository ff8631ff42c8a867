/**
 * The market cloud function's actions (MarketApi in shared/api.ts), and what other functions use:
 * `cancelLapsedTrades` for the `timeouts` timer, `completedStats` for the guide price.
 */
import type { Action } from '../handler';
import { cancelOrder, placeOrder } from './orders';
import { getPaymentDetails, setPaymentDetails } from './payment';
import { depth, myOrders, myTrades, recentTrades, stats } from './queries';
import { addProof, appealTrade, cancelTrade, confirmTrade, getTrade, markPaid } from './trades';

export { cancelLapsedTrades } from './trades';
export { completedStats, businessDayRange } from './queries';

export const marketActions: Record<string, Action> = {
  depth: (p) => depth(p),
  recentTrades: (p) => recentTrades(p),
  stats: (p) => stats(p),
  place: placeOrder,
  cancel: cancelOrder,
  myOrders,
  myTrades,
  trade: getTrade,
  markPaid,
  confirm: confirmTrade,
  appeal: appealTrade,
  addProof,
  cancelTrade,
  setPaymentDetails,
  getPaymentDetails,
};
