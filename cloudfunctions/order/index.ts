/** The `order` cloud function: quote, create, pay, list, get, confirm receipt, cancel, refund. */
import { withBootstrap } from '../../server/config';
import { Action, handler } from '../../server/handler';
import { orderActions } from '../../server/orders';

const actions: Record<string, Action> = { ...orderActions };

export const main = handler(withBootstrap(actions));
