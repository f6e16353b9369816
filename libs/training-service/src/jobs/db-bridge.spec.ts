import { initStorage, type Storage } from '@pulse/storage';
import { createTestDatabase, type TestDatabase } from '@pulse/testing';
import { DbBridgeClient, DbBridgeHost, type BridgedDataSource } from './db-bridge';
import type { BridgeRequest, BridgeResponse } from './worker-protocol';

// Both ends of the bridge in one thread, messages cloned as postMessage clones them (a Buffer becomes
// a plain Uint8Array on the way), against a real database.
describe('the database bridge of training workers', () => {
  let db: TestDatabase;
  let storage: Storage;
  let bridged: BridgedDataSource;
  let host: DbBridgeHost;

  beforeAll(async () => {
    db = await createTestDatabase('pulse_ts_bridge');
    storage = await initStorage({ url: db.url, poolSize: 2 });
    await storage.dataSource.query('CREATE TABLE bridged (id int PRIMARY KEY, bytes bytea, at timestamptz)');
    const toClient: ((response: BridgeResponse) => void)[] = [];
    host = new DbBridgeHost(storage.dataSource, (response: BridgeResponse) =>
      setImmediate(() => toClient.forEach((deliver) => deliver(structuredClone(response)))),
    );
    const client = new DbBridgeClient({
      postMessage: (request: BridgeRequest) => setImmediate(() => void host.handle(structuredClone(request))),
    });
    toClient.push((response) => client.receive(response));
    bridged = client.dataSource();
  });
  afterAll(async () => {
    await host?.close();
    await storage?.close();
    await db?.drop();
  });

  it('runs queries on the host, bytea and timestamps coming back as the driver gives them', async () => {
    const bytes = Buffer.from([0, 255, 1, 2]);
    await bridged.query('INSERT INTO bridged (id, bytes, at) VALUES ($1, $2, $3)', [1, bytes, new Date(0)]);
    const [row] = (await bridged.query('SELECT bytes, at FROM bridged WHERE id = 1')) as { bytes: Buffer; at: Date }[];
    expect(Buffer.isBuffer(row.bytes)).toBe(true);
    expect(row.bytes.equals(bytes)).toBe(true);
    expect(row.at).toEqual(new Date(0));
  });

  it('commits a transaction, and rolls one back when its work throws', async () => {
    await bridged.transaction(async (tx) => {
      await tx.query('INSERT INTO bridged (id) VALUES (2)');
      await tx.query('INSERT INTO bridged (id) VALUES (3)');
    });
    await expect(
      bridged.transaction(async (tx) => {
        await tx.query('INSERT INTO bridged (id) VALUES (4)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const ids = (await bridged.query('SELECT id FROM bridged ORDER BY id')) as { id: number }[];
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("hands the driver's error back with its code", async () => {
    await expect(bridged.query('INSERT INTO bridged (id) VALUES (1)')).rejects.toMatchObject({ code: '23505' });
    await expect(bridged.query('SELECT nonsense FROM nowhere')).rejects.toThrow(/nowhere/);
  });

  it('rolls back what a worker left open when it goes away', async () => {
    let leftOpen!: Promise<unknown>;
    const begun = new Promise<void>((resolve) => {
      leftOpen = bridged.transaction(async (tx) => {
        await tx.query('INSERT INTO bridged (id) VALUES (5)');
        resolve();
        await new Promise(() => undefined); // the worker is terminated here
      });
    });
    await begun;
    await host.close();
    const ids = (await storage.dataSource.query('SELECT id FROM bridged WHERE id = 5')) as unknown[];
    expect(ids).toEqual([]);
    void leftOpen;
  });
});
