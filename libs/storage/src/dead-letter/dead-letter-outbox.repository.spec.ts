import { createTestDatabase } from '@pulse/testing';
import { initStorage, type Storage } from '../data-source';
import { startEmbeddedPostgres } from '../embedded/embedded-postgres';
import { CreateDeadLetterOutbox1795800000000 } from '../migrations/dead-letter-outbox.migration';
import { DeadLetterOutboxRepository, type OutboxRecord } from './dead-letter-outbox.repository';

interface Backend {
  start(): Promise<{ storage: Storage; stop(): Promise<void> }>;
}

const backends: [string, Backend][] = [
  [
    'real Postgres',
    {
      async start() {
        const db = await createTestDatabase();
        const storage = await initStorage({ url: db.url, poolSize: 4 });
        return {
          storage,
          stop: async () => {
            await storage.close();
            await db.drop();
          },
        };
      },
    },
  ],
  [
    'embedded PGlite',
    {
      async start() {
        const embedded = await startEmbeddedPostgres();
        const storage = await initStorage(embedded.storageOptions);
        return {
          storage,
          stop: async () => {
            await storage.close();
            await embedded.stop();
          },
        };
      },
    },
  ],
];

let topicSeq = 0;
const uniqueTopic = (name: string) => `${name}-${process.pid}-${++topicSeq}`;

function record(
  sourceTopic: string,
  offset: number,
  topic: string,
  reason = 'invalid_value',
  partition = 0,
): OutboxRecord {
  return {
    sourceTopic,
    sourcePartition: partition,
    sourceOffset: String(offset),
    topic,
    key: offset % 2 === 0 ? `k${offset}` : null,
    value: Buffer.from(`bad record ${offset} \u0000\u00ff`, 'latin1'),
    headers: { 'content-type': 'application/x-protobuf', 'x-pulse-reason': reason },
    reason,
  };
}

describe.each(backends)('DeadLetterOutboxRepository (%s)', (_name, backend) => {
  let stop: () => Promise<void>;
  let storage: Storage;
  let repo: DeadLetterOutboxRepository;

  beforeAll(async () => {
    ({ storage, stop } = await backend.start());
    repo = new DeadLetterOutboxRepository(storage.dataSource);
  }, 60_000);
  afterAll(() => stop());

  const rows = (topic: string) =>
    storage.dataSource.query(
      `SELECT id::text AS id, source_offset::text AS source_offset, message_key, value, headers, reason, state FROM dead_letter_outbox o WHERE topic = $1 ORDER BY o.id`,
      [topic],
    ) as Promise<
      {
        id: string;
        source_offset: string;
        message_key: Buffer | null;
        value: Buffer;
        headers: Record<string, string>;
        reason: string;
        state: string;
      }[]
    >;

  it('adds a source record once: a redelivered batch, or a repeat within one call, adds nothing', async () => {
    const source = uniqueTopic('src');
    const dlq = uniqueTopic('dlq');
    const first = await repo.add([
      record(source, 5, dlq),
      record(source, 6, dlq, 'too_late'),
      record(source, 7, dlq),
      record(source, 5, dlq),
    ]);
    expect(first).toEqual({ added: 3, duplicates: 1, addedByReason: { invalid_value: 2, too_late: 1 } });
    // The batch comes again (a crash before its offsets were committed), with one record more.
    const again = await repo.add([
      record(source, 5, dlq),
      record(source, 6, dlq, 'too_late'),
      record(source, 7, dlq),
      record(source, 8, dlq),
    ]);
    expect(again).toEqual({ added: 1, duplicates: 3, addedByReason: { invalid_value: 1 } });
    // Same offset of another partition, or of another source topic, is another record.
    expect((await repo.add([record(source, 5, dlq, 'x', 1), record(`${source}-other`, 5, dlq)])).added).toBe(2);

    const stored = await rows(dlq);
    expect(stored.map((r) => r.source_offset)).toEqual(['5', '6', '7', '8', '5', '5']);
    // Numbered in the order written; the bytes, key and headers as given.
    expect(stored.map((r) => BigInt(r.id))).toEqual(
      [...stored.map((r) => BigInt(r.id))].sort((a, b) => (a < b ? -1 : 1)),
    );
    expect(stored[0].value.equals(Buffer.from(record(source, 5, dlq).value))).toBe(true);
    expect(stored.map((r) => r.message_key?.toString() ?? null)).toEqual([null, 'k6', null, 'k8', null, null]);
    expect(stored[1].headers).toEqual({ 'content-type': 'application/x-protobuf', 'x-pulse-reason': 'too_late' });
    expect(stored.every((r) => r.state === 'pending')).toBe(true);
    expect(await repo.hasPending(dlq)).toBe(true);
  });

  it('keeps a source key Postgres text cannot hold (NUL, as a producer keying by a bad entity id sends), and claims it back as given', async () => {
    const dlq = uniqueTopic('dlq');
    const key = 'learner-\u0000-1';
    expect((await repo.add([{ ...record(uniqueTopic('src'), 1, dlq), key }])).added).toBe(1);
    const lease = await repo.acquireLease(dlq, 'a', 60_000, 'outbox-nul');
    const claim = await repo.claim(lease!, { 0: '0' }, 10);
    expect(claim.rows.map((r) => r.key)).toEqual([key]);
  });

  it('rejects malformed records before writing anything', async () => {
    const dlq = uniqueTopic('dlq');
    await expect(repo.add([record('s', 1, dlq), { ...record('s', 2, dlq), sourceOffset: '-1' }])).rejects.toThrow(
      /sourceOffset/,
    );
    await expect(repo.add([{ ...record('s', 2, dlq), sourcePartition: 1.5 }])).rejects.toThrow(/sourcePartition/);
    expect(await rows(dlq)).toEqual([]);
  });

  it('gives the lease to one holder at a time and fences everything an old holder does', async () => {
    const dlq = uniqueTopic('dlq');
    await repo.add([record(uniqueTopic('src'), 1, dlq), record(uniqueTopic('src'), 2, dlq)]);
    const a = await repo.acquireLease(dlq, 'a', 60_000, 'outbox-1');
    expect(a).toMatchObject({ topic: dlq, holder: 'a', epoch: '1', outboxId: 'outbox-1' });
    expect(await repo.acquireLease(dlq, 'b', 60_000, 'outbox-2')).toBeNull();
    expect(await repo.renewLease(a!, 60_000)).toBe(true);

    // a claims a chunk, then loses the lease (it ran out): b takes it with the next epoch.
    const claim = await repo.claim(a!, { 0: '10', 1: '3' }, 1);
    expect(claim).toMatchObject({ leased: true, inFlightLeft: false });
    expect(claim.rows).toHaveLength(1);
    await storage.dataSource.query(
      `UPDATE dead_letter_relay SET lease_until = now() - interval '1 second' WHERE topic = $1`,
      [dlq],
    );
    const b = await repo.acquireLease(dlq, 'b', 60_000, 'outbox-2');
    expect(b).toMatchObject({ holder: 'b', epoch: '2', outboxId: 'outbox-1' });

    expect(await repo.renewLease(a!, 60_000)).toBe(false);
    expect(await repo.markPublished(a!, [claim.rows[0].id])).toBe(false);
    expect(await repo.resolveInFlight(a!, [])).toBeNull();
    expect((await repo.claim(a!, {}, 10)).leased).toBe(false);
    expect(await repo.releaseLease(a!)).toBe(false);
    // Nothing a did after losing the lease changed a row.
    expect((await rows(dlq)).map((r) => r.state)).toEqual(['in_flight', 'pending']);
    expect(await repo.inFlight(dlq)).toEqual({ from: { 0: '10', 1: '3' }, ids: [claim.rows[0].id] });

    // b must resolve the chunk in flight before it claims another.
    expect(await repo.claim(b!, { 0: '11' }, 10)).toEqual({ leased: true, inFlightLeft: true, rows: [] });
    expect(await repo.resolveInFlight(b!, [claim.rows[0].id])).toEqual({ landed: 1, requeued: 0 });
    expect(await repo.inFlight(dlq)).toEqual({ from: null, ids: [] });
    const next = await repo.claim(b!, { 0: '11' }, 10);
    expect(next.rows.map((r) => r.id)).toEqual([(await rows(dlq))[1].id]);
    expect(
      await repo.markPublished(
        b!,
        next.rows.map((r) => r.id),
      ),
    ).toBe(true);
    expect((await rows(dlq)).map((r) => r.state)).toEqual(['published', 'published']);
    expect(await repo.hasPending(dlq)).toBe(false);

    // A holder gives the lease up: the next takes it at once. A holder may take its own back.
    expect(await repo.releaseLease(b!)).toBe(true);
    const c = await repo.acquireLease(dlq, 'c', 60_000, 'outbox-3');
    expect(c?.epoch).toBe('3');
    expect((await repo.acquireLease(dlq, 'c', 60_000, 'outbox-3'))?.epoch).toBe('4');
  });

  it('claims the oldest pending rows first, puts rows not found back, and reports the backlog', async () => {
    const dlq = uniqueTopic('dlq');
    const source = uniqueTopic('src');
    await repo.add(Array.from({ length: 5 }, (_, i) => record(source, i, dlq)));
    const lease = (await repo.acquireLease(dlq, 'r', 60_000, 'o'))!;
    const claim = await repo.claim(lease, { 0: '0' }, 3);
    expect(claim.rows.map((r) => r.value.toString('latin1'))).toEqual(
      [0, 1, 2].map((i) => `bad record ${i} \u0000\u00ff`),
    );
    expect(claim.rows[0].headers).toEqual({
      'content-type': 'application/x-protobuf',
      'x-pulse-reason': 'invalid_value',
    });
    expect(await repo.backlog(dlq)).toMatchObject({ pending: 2, inFlight: 3 });
    // Only the middle one was found in the topic: the others go back, and come first in the next claim.
    expect(await repo.resolveInFlight(lease, [claim.rows[1].id])).toEqual({ landed: 1, requeued: 2 });
    const next = await repo.claim(lease, { 0: '1' }, 10);
    expect(next.rows.map((r) => r.id)).toEqual([
      claim.rows[0].id,
      claim.rows[2].id,
      ...(await rows(dlq)).slice(3).map((r) => r.id),
    ]);
    await repo.markPublished(
      lease,
      next.rows.map((r) => r.id),
    );
    expect(await repo.backlog(dlq)).toEqual({ pending: 0, inFlight: 0, oldestUnpublishedMs: 0 });
  });

  it('prunes published rows past their retention, never unpublished ones', async () => {
    const dlq = uniqueTopic('dlq');
    const source = uniqueTopic('src');
    await repo.add(Array.from({ length: 6 }, (_, i) => record(source, i, dlq)));
    const lease = (await repo.acquireLease(dlq, 'r', 60_000, 'o'))!;
    const claim = await repo.claim(lease, {}, 4);
    await repo.markPublished(
      lease,
      claim.rows.map((r) => r.id),
    );
    await storage.dataSource.query(
      `UPDATE dead_letter_outbox SET published_at = now() - interval '2 days', created_at = now() - interval '2 days' WHERE topic = $1`,
      [dlq],
    );
    expect(await repo.prune(dlq, 3 * 86_400_000)).toBe(0);
    expect(await repo.prune(dlq, 86_400_000, 3)).toBe(3);
    expect(await repo.prune(dlq, 86_400_000, 3)).toBe(1);
    expect(await repo.prune(dlq, 86_400_000, 3)).toBe(0);
    expect((await rows(dlq)).map((r) => r.source_offset)).toEqual(['4', '5']);
    // The pruned sources could be added again (their batches are long committed).
    expect((await repo.backlog(dlq)).oldestUnpublishedMs).toBeGreaterThan(86_000_000);
  });

  it('has a migration that reverts and applies again', async () => {
    const migration = new CreateDeadLetterOutbox1795800000000();
    const runner = storage.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(
        await runner.query(`SELECT to_regclass('dead_letter_outbox') AS t, to_regclass('dead_letter_relay') AS r`),
      ).toEqual([{ t: null, r: null }]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect((await repo.add([record('s', 1, uniqueTopic('dlq'))])).added).toBe(1);
  });
});
