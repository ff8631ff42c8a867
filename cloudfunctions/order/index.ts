/** The `order` cloud function: quote, create, pay, list, get, confirm receipt, cancel, refund. */
import { Action, handler } from '../../server/handler';
import { orderActions } from '../../server/orders';

const actions: Record<string, Action> = { ...orderActions };

// No bootstrap check (a database round trip on every call, on the payment path): an order needs its buyer, who
// registered through the `user` function, which bootstraps first; the other actions read the caller's own
// orders, or the parameters, which read as their defaults until the bootstrap writes them.
export const main = handler(actions);
