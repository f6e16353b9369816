import { Worker } from 'node:worker_threads';
import { ConnectionError } from '@pulse/core';
import type { InitStorageOptions } from '../data-source';

export interface EmbeddedPostgresOptions {
  /** A directory to keep the database in across restarts, or 'memory' (default) for a throwaway one. */
  readonly dataDir?: string;
  /** Loopback port to listen on; 0 (default) lets the OS choose. */
  readonly port?: number;
  /**
   * Client connections accepted at once. Default 2. PGlite is one backend: the socket server
   * multiplexes connections message by message, so two connections using the extended query
   * protocol at the same time can interleave Parse/Bind/Execute and clobber each other's unnamed
   * statement. Hence clients use a pool of ONE connection (storageOptions); the second slot only
   * lets a client reconnect before the server has noticed its previous connection closing.
   */
  readonly maxConnections?: number;
  /**
   * Called if the database thread dies while it should be running (queries then fail with
   * connection errors and health checks report Postgres down). Default: a line on stderr.
   */
  readonly onUnexpectedExit?: (reason: string) => void;
}

export interface EmbeddedPostgres {
  /** postgres:// URL of the loopback server; any Postgres client can use it. */
  readonly url: string;
  /** What to pass to initStorage / createDataSource (pool of one connection, kept open). */
  readonly storageOptions: InitStorageOptions;
  stop(): Promise<void>;
}

type WorkerMessage = { type: 'ready'; conn: string } | { type: 'error'; message: string } | { type: 'stopped' };

// Runs in its own thread, as plain Node: PGlite loads its WASM build with a dynamic import(), which
// some hosts (Jest's module sandbox) cannot do, and keeping the database's CPU work off the main
// thread leaves the service's event loop free for consuming and HTTP while queries execute.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.socket);
(async () => {
  const db = await PGlite.create(workerData.dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: workerData.port, maxConnections: workerData.maxConnections });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  parentPort.on('message', async (msg) => {
    if (msg !== 'stop') return;
    await server.stop();
    await db.close();
    parentPort.postMessage({ type: 'stopped' });
    parentPort.close();
  });
  parentPort.postMessage({ type: 'ready', conn: server.getServerConn() });
})().catch((err) => parentPort.postMessage({ type: 'error', message: String(err && err.message || err) }));
`;

/**
 * Starts PGlite (Postgres compiled to WASM) in a worker thread behind a Postgres wire-protocol server
 * on 127.0.0.1, so the ordinary pg driver and TypeORM talk to it exactly as to a real server: one
 * code path for the embedded mode and real infrastructure.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ?? 'memory';
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pglite: require.resolve('@electric-sql/pglite'),
      socket: require.resolve('@electric-sql/pglite-socket'),
      dataDir: dataDir === 'memory' ? undefined : dataDir,
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 2,
    },
  });
  const conn = await new Promise<string>((resolve, reject) => {
    const fail = (message: string) => reject(new ConnectionError(`embedded Postgres did not start: ${message}`));
    worker.once('message', (msg: WorkerMessage) => {
      if (msg.type === 'ready') resolve(msg.conn);
      else fail(msg.type === 'error' ? msg.message : 'unexpected message');
    });
    worker.once('error', (err) => fail(err.message));
    worker.once('exit', (code) => fail(`worker exited with code ${code}`));
  }).catch(async (err) => {
    await worker.terminate();
    throw err;
  });
  worker.removeAllListeners();

  let exited = false;
  let stopping: Promise<void> | undefined;
  let lastError: Error | undefined;
  const onUnexpectedExit =
    options.onUnexpectedExit ??
    ((reason: string) => process.stderr.write(`embedded Postgres stopped unexpectedly: ${reason}\n`));
  worker.on('error', (err) => {
    lastError = err;
  });
  worker.on('exit', (code) => {
    exited = true;
    if (stopping === undefined) onUnexpectedExit(lastError?.message ?? `worker exited with code ${code}`);
  });

  const url = `postgres://postgres@${conn}/postgres`;
  return {
    url,
    // No COPY: the socket server does not speak Postgres's COPY sub-protocol.
    storageOptions: { url, poolSize: 1, idleTimeoutMs: 0, eventLog: { bulkLoad: 'insert' } },
    stop() {
      if (exited) return (stopping ??= Promise.resolve());
      stopping ??= new Promise<void>((resolve) => {
        // A clean stop flushes a file-backed database; the exit handler covers a worker that died.
        worker.once('message', (msg: WorkerMessage) => msg.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }).then(() => worker.terminate().then(() => undefined));
      return stopping;
    },
  };
}
