/** The `user` cloud function: login, profile, assets, ledger history (+ statements, transfer: see below). */
import { withBootstrap } from '../../server/config';
import { Action, handler } from '../../server/handler';
import { userActions } from '../../server/users';
import { messageActions } from '../../server/messages';
import { statementActions } from '../../server/statements';
import { transfer } from '../../server/transfers';
import { addressActions } from '../../server/addresses';
import { inviteeActions } from '../../server/invitees';

const actions: Record<string, Action> = {
  ...userActions,
  ...statementActions,
  transfer,
  ...addressActions,
  ...messageActions,
  ...inviteeActions,
  // statements (server/statements.ts) and transfer (server/transfers.ts) are added by their owners here
};

export const main = handler(withBootstrap(actions));
