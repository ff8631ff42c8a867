/**
 * The writer thread: the store's queued batches (group commit, see store.ts) are written by a worker thread
 * with its own SQLite connection to the same file, so the main thread — which answers every request — never
 * waits for SQLite's writes or its WAL appends; checkpoints (which flush the WAL to the database file and sync
 * it) run on a third thread, so the writer does not wait for them either. WAL mode lets the main thread's
 * connection read while the worker writes.
 *
 * Batches are written in the order they are sent, each in one SQLite transaction; the outcome of each comes
 * back as a message. After a batch fails, every later one is refused until `reset()` (the store fails them
 * all and starts again from what SQLite has), so what is on disk is always every batch up to some point.
 * `waitAll()` blocks the main thread until every batch sent is written (Atomics.wait on shared memory), for
 * what must see SQLite up to date at once (a query, a count, closing).
 */
import { Worker } from 'worker_threads';

/** The worker's code: plain JavaScript (it runs as is in any build of the runtime: jest, esbuild bundles). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const Database = require(workerData.sqlite);
const shared = new Int32Array(workerData.shared);
const errText = new Uint8Array(workerData.errText);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.sync);
db.pragma('busy_timeout = 30000');
// no checkpoint here: one would hold up the batches behind it (the checkpointer thread runs them, see below);
// ANALYZE (optimize) looks at a sample of each index, not all of it, for the same reason
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_size_limit = 67108864'); // the WAL file cut back to 64 MB when it starts over
db.pragma('analysis_limit = 1000');
const q = (s) => '"' + s.replace(/"/g, '""') + '"';
const stmts = new Map();
const stmt = (sql) => {
  let s = stmts.get(sql);
  if (!s) stmts.set(sql, (s = db.prepare(sql)));
  return s;
};
const KINDS = ['insert', 'upsert', 'delete', 'pay', 'flags'];
// a batch comes as one string (every op's coll, id and data, one after the other) and their lengths
const run = db.transaction((meta, text) => {
  let at = 0;
  for (let i = 0; i < meta.length; i += 4) {
    const kind = KINDS[meta[i]];
    const coll = text.slice(at, (at += meta[i + 1]));
    const id = text.slice(at, (at += meta[i + 2]));
    const data = text.slice(at, (at += meta[i + 3]));
    switch (kind) {
      case 'insert': stmt('INSERT INTO ' + q('c:' + coll) + ' (id, data) VALUES (?, ?)').run(id, data); break;
      case 'upsert': stmt('INSERT INTO ' + q('c:' + coll) + ' (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data').run(id, data); break;
      case 'delete': stmt('DELETE FROM ' + q('c:' + coll) + ' WHERE id = ?').run(id); break;
      case 'pay': stmt('INSERT INTO _pay (outTradeNo, data) VALUES (?, ?) ON CONFLICT(outTradeNo) DO UPDATE SET data = excluded.data').run(id, data); break;
      case 'flags': { const f = JSON.parse(data); stmt('INSERT OR REPLACE INTO _fieldflags (coll, field, hasArray, hasOther) VALUES (?, ?, ?, ?)').run(f[0], f[1], f[2], f[3]); break; }
      default: throw new Error('unknown write ' + meta[i]);
    }
  }
});
let failed = false;
let written = 0;
parentPort.on('message', (m) => {
  if (m.type === 'batch') {
    let error = null;
    if (failed) error = 'an earlier batch could not be written';
    else {
      try {
        run(m.meta, m.text);
        written++;
        if (written === 200 || written === 2000 || written % 20000 === 0) db.pragma('optimize');
      } catch (e) {
        failed = true;
        error = String((e && e.message) || e);
        const bytes = Buffer.from(error.slice(0, 1000));
        errText.set(bytes.subarray(0, errText.length));
        Atomics.store(shared, 3, Math.min(bytes.length, errText.length));
        Atomics.store(shared, 1, m.seq);
      }
    }
    Atomics.store(shared, 0, m.seq);
    Atomics.notify(shared, 0);
    parentPort.postMessage({ seq: m.seq, error });
  } else if (m.type === 'reset') {
    failed = false;
  } else if (m.type === 'close') {
    try { db.close(); } finally {
      Atomics.store(shared, 2, 1);
      Atomics.notify(shared, 2);
      parentPort.close();
    }
  }
});
`;

/**
 * The checkpointer thread: its own connection copies the WAL into the database file (a PASSIVE checkpoint, which
 * neither waits for the writer nor holds it up) every CHECKPOINT_EVERY_MS. SQLite's automatic checkpoint would run
 * in the writer's commit instead, every 1,000 pages: the batches queued behind it, and the answers waiting for
 * them, would stop for its 10–50 ms of copying and syncing (measured: ~6 % of the main thread's time idle).
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const Database = require(workerData.sqlite);
const shared = new Int32Array(workerData.shared);
const db = new Database(workerData.file);
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { /* the next one tries again */ }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m.type !== 'close') return;
  clearInterval(timer);
  try { db.close(); } finally {
    Atomics.store(shared, 4, 1);
    Atomics.notify(shared, 4);
    parentPort.close();
  }
});
`;

const CHECKPOINT_EVERY_MS = 200;

const WAIT_LIMIT_MS = 60_000;
const KIND_CODES: Record<string, number> = { insert: 0, upsert: 1, delete: 2, pay: 3, flags: 4 };

export class WriterThread {
  private readonly worker: Worker;
  /** [0] last batch done, [1] first failed batch since the last reset (0: none), [2] closed, [3] error length, [4] checkpointer closed. */
  private readonly shared = new Int32Array(new SharedArrayBuffer(20));
  private readonly checkpointer: Worker;
  private checkpointerGone = false;
  private readonly errText = new Uint8Array(new SharedArrayBuffer(1024));
  private sent = 0;
  /** The last batch whose outcome was handed to onWritten. */
  private reported = 0;
  private refd = false;
  private dead: Error | null = null;

  constructor(file: string, private readonly onWritten: (seq: number, error: string | null) => void) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        sqlite: require.resolve('better-sqlite3'),
        sync: process.env.LOCALCLOUD_SYNC === 'FULL' ? 'FULL' : 'NORMAL',
        shared: this.shared.buffer,
        errText: this.errText.buffer,
      },
    });
    this.worker.unref();
    this.worker.on('message', (m: { seq: number; error: string | null }) => {
      if (m.seq <= this.reported) return; // already reported by waitAll
      this.reported = m.seq;
      if (m.seq === this.sent) this.idle();
      this.onWritten(m.seq, m.error);
    });
    this.worker.on('error', (e) => this.die(e));
    this.checkpointer = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: { file, sqlite: require.resolve('better-sqlite3'), shared: this.shared.buffer, everyMs: CHECKPOINT_EVERY_MS },
    });
    this.checkpointer.unref();
    // without it the WAL only grows (and is checkpointed when the store closes): nothing is lost, nothing to do
    this.checkpointer.on('error', () => undefined);
    this.checkpointer.on('exit', () => (this.checkpointerGone = true));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.die(new Error(`the writer thread exited (${code})`));
    });
  }

  private closing = false;

  private die(e: unknown) {
    if (this.dead) return;
    this.dead = e instanceof Error ? e : new Error(String(e));
    // every batch not reported is lost as far as anyone knows
    for (let seq = this.reported + 1; seq <= this.sent; seq++) this.onWritten(seq, `the writer thread failed: ${this.dead.message}`);
    this.reported = this.sent;
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** The number of the last batch sent. */
  get lastSent(): number {
    return this.sent;
  }

  /** Send a batch to be written (numbered 1, 2, … in sending order). */
  send(ops: ReadonlyArray<{ kind: string; coll: string; id: string; data?: string }>): number {
    if (this.dead) throw this.dead;
    // one string and one typed array: copied to the thread in a few memcpy, where a structured clone of the
    // op objects costs about as much as writing them
    const meta = new Int32Array(ops.length * 4);
    const parts: string[] = new Array(ops.length * 3);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const data = op.data ?? '';
      meta[i * 4] = KIND_CODES[op.kind];
      meta[i * 4 + 1] = op.coll.length;
      meta[i * 4 + 2] = op.id.length;
      meta[i * 4 + 3] = data.length;
      parts[i * 3] = op.coll;
      parts[i * 3 + 1] = op.id;
      parts[i * 3 + 2] = data;
    }
    const seq = ++this.sent;
    if (!this.refd) {
      this.worker.ref(); // a batch in flight keeps the process alive until its outcome is back
      this.refd = true;
    }
    this.worker.postMessage({ type: 'batch', seq, meta, text: parts.join('') }, [meta.buffer]);
    return seq;
  }

  private idle() {
    if (this.refd) {
      this.worker.unref();
      this.refd = false;
    }
  }

  private errorText(): string {
    const n = Atomics.load(this.shared, 3);
    return Buffer.from(this.errText.subarray(0, n)).toString('utf8') || 'the batch could not be written';
  }

  /**
   * Block until every batch sent has been written; returns the outcomes not yet reported (their messages, when
   * they arrive, are then ignored).
   */
  waitAll(): Array<[number, string | null]> {
    const until = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const done = Atomics.load(this.shared, 0);
      if (done >= this.sent || this.dead) break;
      if (Date.now() > until) {
        this.die(new Error(`the writer thread did not answer within ${WAIT_LIMIT_MS / 1000} s`));
        break;
      }
      Atomics.wait(this.shared, 0, done, 1000);
    }
    const out: Array<[number, string | null]> = [];
    if (this.reported >= this.sent) return out;
    const failed = Atomics.load(this.shared, 1);
    for (let seq = this.reported + 1; seq <= this.sent; seq++) out.push([seq, failed !== 0 && seq >= failed ? this.errorText() : null]);
    this.reported = this.sent;
    this.idle();
    return out;
  }

  /** After a failure: accept batches again (the ones sent before were refused). */
  reset(): void {
    Atomics.store(this.shared, 1, 0);
    if (!this.dead) this.worker.postMessage({ type: 'reset' });
  }

  /** Close the worker's connection (after waitAll) and let the thread end. */
  close(): void {
    this.closing = true;
    if (!this.checkpointerGone) {
      this.checkpointer.postMessage({ type: 'close' });
      const until = Date.now() + 10_000;
      while (Atomics.load(this.shared, 4) === 0 && Date.now() < until) Atomics.wait(this.shared, 4, 0, 200);
    }
    if (this.dead) return;
    this.worker.postMessage({ type: 'close' });
    const until = Date.now() + 10_000;
    while (Atomics.load(this.shared, 2) === 0 && Date.now() < until) Atomics.wait(this.shared, 2, 0, 1000);
    this.worker.unref();
  }
}
