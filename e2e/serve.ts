/** Runs the e2e local cloud by hand (see e2e/server.ts): node e2e/build.mjs && node build/e2e/serve.js */
import { startE2EServer } from './server';

const port = process.env.PORT ? Number(process.env.PORT) : 0;
startE2EServer({ port, dataDir: process.env.DATA_DIR || undefined, seed: process.env.SEED !== '0', releaseTimer: process.env.RELEASE_TIMER !== '0' })
  .then((s) => {
    console.log(`e2e local cloud: ${s.url}  (data ${s.dataDir})`);
    const stop = () => s.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
