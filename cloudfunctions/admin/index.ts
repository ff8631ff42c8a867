/** The `admin` cloud function: every action checks the caller's role in the database (server/admin/*). */
import { withBootstrap } from '../../server/config';
import { Action, handler } from '../../server/handler';
import { adminMerchantActions } from '../../server/admin/merchants';
import { adminParamActions } from '../../server/admin/params';
import { adminReleaseActions } from '../../server/admin/release';
import { decideAppeal, listAppeals } from '../../server/admin/appeals';
import { farmingActions } from '../../server/farming';
import { adminHomeActions } from '../../server/home';
import { adminSimulateActions } from '../../server/admin/simulate';

const actions: Record<string, Action> = {
  ...adminParamActions,
  ...adminMerchantActions,
  ...adminReleaseActions,
  ...farmingActions,
  ...adminSimulateActions,
  ...adminHomeActions,
  appeals: listAppeals,
  decideAppeal,
  // appeals (server/admin/appeals.ts) and release/guide price/dashboard (server/admin/release.ts) are added by their owners here
};

export const main = handler(withBootstrap(actions));
