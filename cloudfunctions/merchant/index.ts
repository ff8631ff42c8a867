/** The `merchant` cloud function: apply, listing, search, merchant page, catalogue, deposit, pay code, share poster code, orders, ship. */
import { withBootstrap } from '../../server/config';
import { Action, handler } from '../../server/handler';
import { merchantActions } from '../../server/merchants';
import { merchantOrderActions } from '../../server/orders';
import { homeActions } from '../../server/home';
import { searchActions } from '../../server/search';
import { storeStatsActions } from '../../server/storeStats';
import { posterActions } from '../../server/poster';

const actions: Record<string, Action> = {
  ...merchantActions,
  ...merchantOrderActions,
  ...storeStatsActions,
  ...searchActions,
  ...homeActions,
  ...posterActions,
};

export const main = handler(withBootstrap(actions), { anonymous: ['categories', 'list', 'get', 'search', 'home'] });
