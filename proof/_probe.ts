import { startTestCloud } from '../localcloud/testing';
import { ADMIN, Gateway, buildWorld, instoreOrder, T0 } from './kit';
async function main() {
  process.env.ADMIN_OPENIDS = ADMIN;
  const tc = await startTestCloud({ now: T0 });
  const gw = new Gateway(tc.url);
  const w = await buildWorld(gw, { prefix: 'p', merchants: 2, users: 4 });
  for (const label of ['assets', 'order']) {
    const xs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      if (label === 'assets') await gw.ok('user', w.users[0].openid, { action: 'assets' });
      else await instoreOrder(gw, w.users[i % 4].openid, w.merchants[i % 2], 1000);
      xs.push(performance.now() - t);
    }
    xs.sort((a, b) => a - b);
    console.log(label, 'p50', xs[15].toFixed(1), 'max', xs[29].toFixed(1));
  }
  gw.close(); await tc.close();
}
main();
