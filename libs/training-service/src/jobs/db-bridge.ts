import type { DataSource, QueryRunner } from 'typeorm';
import type { BridgeRequest, BridgeResponse } from './worker-protocol';

/**
 * The embedded database (PGlite behind a loopback socket) takes one client connection at a time: a
 * second one could interleave its statements with the service's (see startEmbeddedPostgres). So a
 * worker thread there does not connect itself; it sends its SQL to the main thread, which runs it on
 * the service's own DataSource (DbBridgeHost), queued with the service's other queries. The training
 * itself still runs in the worker: only the round trips pass through the main thread.
 */
export class DbBridgeHost {
  private readonly transactions = new Map<number, QueryRunner>();
  private nextTx = 1;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reply: (response: BridgeResponse) => void,
  ) {}

  async handle(request: BridgeRequest): Promise<void> {
    try {
      this.reply({ type: 'db-result', id: request.id, value: await this.execute(request) });
    } catch (err) {
      const error = err as Error & { code?: unknown };
      this.reply({
        type: 'db-error',
        id: request.id,
        name: error?.name ?? 'Error',
        message: error?.message ?? String(err),
        ...(typeof error?.code === 'string' ? { code: error.code } : {}),
      });
    }
  }

  /** Rolls back what a worker that went away left open, giving the connection back. */
  async close(): Promise<void> {
    const open = [...this.transactions.values()];
    this.transactions.clear();
    for (const runner of open) {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release().catch(() => undefined);
    }
  }

  private async execute(request: BridgeRequest): Promise<unknown> {
    switch (request.op) {
      case 'query': {
        const params = request.params?.map(toDriverValue);
        if (request.tx === undefined) return this.dataSource.query(request.sql, params);
        return this.runner(request.tx).query(request.sql, params);
      }
      case 'begin': {
        const runner = this.dataSource.createQueryRunner();
        await runner.connect();
        try {
          await runner.startTransaction();
        } catch (err) {
          await runner.release();
          throw err;
        }
        const tx = this.nextTx++;
        this.transactions.set(tx, runner);
        return tx;
      }
      case 'commit':
      case 'rollback': {
        const runner = this.runner(request.tx);
        this.transactions.delete(request.tx);
        try {
          if (request.op === 'commit') await runner.commitTransaction();
          else await runner.rollbackTransaction();
        } finally {
          await runner.release();
        }
        return null;
      }
    }
  }

  private runner(tx: number): QueryRunner {
    const runner = this.transactions.get(tx);
    if (runner === undefined) throw new Error(`no open bridged transaction ${tx}`);
    return runner;
  }
}

/** What the worker's repositories use of a DataSource: queries, and transactions of queries. */
export interface BridgedDataSource {
  readonly isInitialized: true;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  transaction<T>(work: (tx: { query(sql: string, params?: unknown[]): Promise<unknown> }) => Promise<T>): Promise<T>;
  destroy(): Promise<void>;
}

interface MessagePortLike {
  postMessage(message: BridgeRequest): void;
}

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/** The worker's side: a DataSource look-alike whose every statement runs on the main thread (DbBridgeHost). */
export class DbBridgeClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly port: MessagePortLike) {}

  /** Hand every db-result / db-error message from the main thread here; returns whether it was one. */
  receive(message: unknown): boolean {
    const response = message as BridgeResponse;
    if (response?.type !== 'db-result' && response?.type !== 'db-error') return false;
    const pending = this.pending.get(response.id);
    if (pending === undefined) return true;
    this.pending.delete(response.id);
    if (response.type === 'db-result') pending.resolve(fromBridgeValue(response.value));
    else pending.reject(Object.assign(new Error(response.message), { name: response.name, code: response.code }));
    return true;
  }

  dataSource(): BridgedDataSource {
    const query = (sql: string, params?: unknown[], tx?: number) =>
      this.request({ op: 'query', sql, ...(params ? { params } : {}), ...(tx === undefined ? {} : { tx }) });
    return {
      isInitialized: true,
      query: (sql, params) => query(sql, params),
      transaction: async (work) => {
        const tx = (await this.request({ op: 'begin' })) as number;
        try {
          const result = await work({ query: (sql, params) => query(sql, params, tx) });
          await this.request({ op: 'commit', tx });
          return result;
        } catch (err) {
          await this.request({ op: 'rollback', tx }).catch(() => undefined);
          throw err;
        }
      },
      destroy: async () => undefined,
    };
  }

  private request(request: DistributiveOmit<BridgeRequest, 'type' | 'id'>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ type: 'db', id, ...request } as BridgeRequest);
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// A Buffer crosses a thread boundary as a plain Uint8Array: the driver wants a Buffer for bytea.
function toDriverValue(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;
}

/** Rows come back with their bytea columns as Uint8Array: made Buffers again, as the driver gives them. */
function fromBridgeValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  for (const row of value) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) continue;
    for (const [key, v] of Object.entries(row))
      if (v instanceof Uint8Array) (row as Record<string, unknown>)[key] = toDriverValue(v);
  }
  return value;
}
