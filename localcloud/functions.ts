/**
 * The cloud functions the local runtime serves: name → main. Add one line per function in cloudfunctions/.
 * Loading is lazy, so a test that never calls a function never loads it.
 */
import type { CloudFunctionMain } from './runtime';

type Module = { main: CloudFunctionMain };

function lazy(load: () => Module): CloudFunctionMain {
  let main: CloudFunctionMain | undefined;
  return (event, context) => (main ??= load().main)(event, context);
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const functions: Record<string, CloudFunctionMain> = {
  admin: lazy(() => require('../cloudfunctions/admin/index')),
  market: lazy(() => require('../cloudfunctions/market/index')),
  merchant: lazy(() => require('../cloudfunctions/merchant/index')),
  order: lazy(() => require('../cloudfunctions/order/index')),
  payment: lazy(() => require('../cloudfunctions/payment/index')),
  release: lazy(() => require('../cloudfunctions/release/index')),
  timeouts: lazy(() => require('../cloudfunctions/timeouts/index')),
  user: lazy(() => require('../cloudfunctions/user/index')),
};
