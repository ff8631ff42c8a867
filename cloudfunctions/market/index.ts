/** The `market` cloud function: the C2C points market (SPEC §8). Actions: server/market/index.ts. */
import { withBootstrap } from '../../server/config';
import { handler } from '../../server/handler';
import { marketActions } from '../../server/market';

export const main = handler(withBootstrap(marketActions));
