/**
 * Child process for durability.test.ts: a local cloud + gateway on DATA_DIR serving `transfer` (a transaction
 * moving an amount between two accounts and recording the transfer, then an ordinary add) and `ping`.
 * Prints "READY <port>" when listening.
 */
import cloud from 'wx-server-sdk';
import { createLocalCloud } from '../runtime';
import { startGateway } from '../gateway';

const COLLS = ['d_accounts', 'd_transfers', 'd_plain'];
export const ACCOUNTS = 10;
export const START_BALANCE = 1000;

async function main() {
  const db = cloud.database();
  const _ = db.command;
  const lc = createLocalCloud({
    dataDir: process.env.DATA_DIR!,
    indexes: {},
    collections: COLLS,
    log: () => undefined,
    functions: {
      ping: async () => ({ ok: true, data: 'pong' }),
      transfer: async (event: { id: string; from: number; to: number; amount: number }) => {
        await db.runTransaction(async (t) => {
          const from = (await t.collection('d_accounts').doc(`A${event.from}`).get()).data!;
          await t.collection('d_accounts').doc(`A${event.from}`).update({ data: { balance: from.balance - event.amount } });
          await t.collection('d_accounts').doc(`A${event.to}`).update({ data: { balance: _.inc(event.amount) } });
          await t.collection('d_transfers').add({ data: { _id: event.id, from: event.from, to: event.to, amount: event.amount } });
        }, 50);
        await db.collection('d_plain').add({ data: { _id: event.id } });
        return { ok: true, data: event.id };
      },
    },
  });
  if ((await db.collection('d_accounts').count()).total === 0) {
    await db.runTransaction(async (t) => {
      for (let i = 0; i < ACCOUNTS; i++) await t.collection('d_accounts').add({ data: { _id: `A${i}`, balance: START_BALANCE } });
    });
  }
  const gw = await startGateway(lc, { port: 0 });
  process.stdout.write(`READY ${gw.port}\n`);
}

if (process.env.DURABILITY_CHILD === '1') {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
