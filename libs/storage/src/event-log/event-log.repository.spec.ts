import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngagementEvent } from '@pulse/contracts';
import { initStorage, type Storage } from '../data-source';
import { EventLogRepository, type EventLogRepositoryOptions } from './event-log.repository';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/embedded-postgres';
import { STORAGE_MIGRATIONS } from '../migrations/migrations';
import { createTestDatabase, type TestDatabase } from '@pulse/testing';

const T0 = Date.UTC(2024, 0, 1);

function ev(id: string, entityId: string, eventTimeMs: number, extra: Partial<EngagementEvent> = {}): EngagementEvent {
  return {
    eventId: id,
    entityId,
    eventType: 'lesson_completed',
    eventTimeMs,
    channel: 'web',
    attributes: {},
    ...extra,
  };
}

/** Deterministic pseudo-random events: `entities` learners, several events sharing each timestamp. */
function generate(n: number, entities: number, seed = 1): EngagementEvent[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) =>
    ev(`e-${seed}-${i}`, `learner-${Math.floor(rand() * entities)}`, T0 + Math.floor(rand() * 50) * 60_000, {
      eventType: rand() < 0.5 ? 'lesson_sent' : 'assessment_answered',
      channel: (['slack', 'sms', 'email', 'web'] as const)[i % 4],
      ...(i % 3 === 0 ? { contentId: `c-${i % 17}` } : {}),
      attributes: {
        is_correct: rand() < 0.7,
        time_taken_seconds: Math.round(rand() * 1000) / 10,
        difficulty: 'beginner',
      },
      ...(i % 5 === 0 ? { profile: { role: 'engineer', region: 'eu' } } : {}),
    }),
  );
}

// JavaScript's own string order (UTF-16 code units); the log must replay in exactly this order.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const replayOrder = (a: EngagementEvent, b: EngagementEvent) =>
  cmp(a.entityId, b.entityId) || a.eventTimeMs - b.eventTimeMs || cmp(a.eventId, b.eventId);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

interface Backend {
  start(): Promise<{
    url: string;
    poolSize?: number;
    idleTimeoutMs?: number;
    eventLog?: EventLogRepositoryOptions;
    stop(): Promise<void>;
  }>;
}

const backends: [string, Backend][] = [
  [
    'real Postgres',
    {
      async start() {
        const db: TestDatabase = await createTestDatabase();
        return { url: db.url, stop: () => db.drop() };
      },
    },
  ],
  [
    'embedded PGlite',
    {
      async start() {
        const pg: EmbeddedPostgres = await startEmbeddedPostgres();
        return { ...pg.storageOptions, stop: () => pg.stop() };
      },
    },
  ],
];

describe.each(backends)('EventLogRepository on %s', (_name, backend) => {
  let server: Awaited<ReturnType<Backend['start']>>;
  let storage: Storage;
  const ops: string[] = [];

  beforeAll(async () => {
    server = await backend.start();
    storage = await initStorage({ ...server, eventLog: { ...server.eventLog, observe: (op) => ops.push(op) } });
  });
  // A repository with other options on the same backend (PGlite cannot take a COPY).
  const repository = (options: EventLogRepositoryOptions) =>
    new EventLogRepository(storage.dataSource, { ...server.eventLog, ...options });
  afterAll(async () => {
    try {
      await storage?.close();
    } finally {
      await server?.stop();
    }
  });
  beforeEach(async () => {
    await storage.dataSource.query('TRUNCATE event_log');
    ops.length = 0;
  });

  it('applies the migrations on first start', () => {
    expect(storage.appliedMigrations).toEqual(STORAGE_MIGRATIONS.map((m) => new m().name));
  });

  it('applies nothing when the schema is current', async () => {
    await storage.close();
    storage = await initStorage({ ...server, eventLog: { ...server.eventLog, observe: (op) => ops.push(op) } });
    expect(storage.appliedMigrations).toEqual([]);
  });

  it('appends idempotently on (entity, time, id), across and within batches', async () => {
    const log = storage.eventLog;
    expect(await log.appendMany([ev('a', 'u1', T0), ev('b', 'u1', T0 + 1)])).toEqual({
      inserted: 2,
      duplicateIds: [],
      conflicts: [],
    });
    expect(await log.appendMany([ev('b', 'u1', T0 + 1), ev('c', 'u2', T0)])).toEqual({
      inserted: 1,
      duplicateIds: ['b'],
      conflicts: [],
    });
    expect(await log.appendMany([ev('d', 'u3', T0), ev('d', 'u3', T0)])).toEqual({
      inserted: 1,
      duplicateIds: ['d'],
      conflicts: [],
    });
    expect(await log.appendMany([])).toEqual({ inserted: 0, duplicateIds: [], conflicts: [] });
    expect(await log.count()).toBe(4);
  });

  it('keeps the first version when an event is re-sent with the same key and other content', async () => {
    await storage.eventLog.appendMany([ev('x', 'u1', T0, { eventType: 'lesson_sent' })]);
    expect(await storage.eventLog.appendMany([ev('x', 'u1', T0, { eventType: 'lesson_started' })])).toEqual({
      inserted: 0,
      duplicateIds: ['x'],
      conflicts: [],
    });
    expect(await storage.eventLog.eventsForEntity('u1')).toEqual([ev('x', 'u1', T0, { eventType: 'lesson_sent' })]);
  });

  it('counts an id once per entity: the same id at another time is a conflict, for another entity another row', async () => {
    await storage.eventLog.appendMany([ev('x', 'u1', T0)]);
    const later = ev('x', 'u1', T0 + 3_600_001);
    expect(await storage.eventLog.appendMany([later, ev('x', 'u2', T0)])).toEqual({
      inserted: 1,
      duplicateIds: [],
      conflicts: [later],
    });
    // By COPY (which fails on the unique id and is redone by INSERT) and by INSERT alike.
    const earlier = ev('x', 'u1', T0 - 5);
    expect(await storage.eventLog.appendMany([earlier, ev('y', 'u1', T0)], { mayExist: true })).toEqual({
      inserted: 1,
      duplicateIds: [],
      conflicts: [earlier],
    });
    expect((await storage.eventLog.eventsForEntity('u1')).map((e) => [e.eventId, e.eventTimeMs])).toEqual([
      ['x', T0],
      ['y', T0],
    ]);
  });

  it('appends atomically: a chunk Postgres refuses leaves none of the append in the log (COPY and INSERT)', async () => {
    for (const options of [{ appendChunkRows: 2 }, { appendChunkRows: 2, bulkLoad: 'insert' as const }]) {
      const log = repository(options);
      const before = await log.count();
      const batch = [
        ev('a1', 'u1', T0),
        ev('b1', 'u1', T0 + 1),
        ev('c1', 'u1', T0 + 2, { contentId: 'a\u0000b' }),
        ev('d1', 'u1', T0 + 3),
      ];
      await expect(log.appendMany(batch)).rejects.toMatchObject({ code: expect.stringMatching(/^22/) });
      expect(await log.count()).toBe(before);
    }
  });

  it('keeps the first of one id at two times within a batch', async () => {
    const second = ev('x', 'u1', T0 + 9);
    const result = await storage.eventLog.appendMany([ev('x', 'u1', T0), second]);
    expect(result).toEqual({ inserted: 1, duplicateIds: [], conflicts: [second] });
  });

  it('writes a COPY chunk that meets a logged event again by INSERT, skipping only that event', async () => {
    const log = repository({ appendChunkRows: 2 });
    await log.appendMany([ev('b', 'u1', T0 + 1)]);
    const result = await log.appendMany([
      ev('a', 'u1', T0),
      ev('b', 'u1', T0 + 1),
      ev('c', 'u1', T0 + 2),
      ev('d', 'u1', T0 + 3),
    ]);
    expect(result).toEqual({ inserted: 3, duplicateIds: ['b'], conflicts: [] });
    expect((await log.eventsForEntity('u1')).map((e) => e.eventId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('writes with INSERT only when told the events may be logged already, or when bulkLoad is insert', async () => {
    await storage.eventLog.appendMany([ev('a', 'u1', T0)]);
    expect(await storage.eventLog.appendMany([ev('a', 'u1', T0), ev('n', 'u1', T0 + 1)], { mayExist: true })).toEqual({
      inserted: 1,
      duplicateIds: ['a'],
      conflicts: [],
    });
    const inserting = new EventLogRepository(storage.dataSource, { bulkLoad: 'insert' });
    expect(await inserting.appendMany([ev('n', 'u1', T0 + 1), ev('m', 'u2', T0)])).toEqual({
      inserted: 1,
      duplicateIds: ['n'],
      conflicts: [],
    });
    expect(() => new EventLogRepository(storage.dataSource, { bulkLoad: 'bulk' as 'copy' })).toThrow(/bulkLoad/);
  });

  it('round-trips any text and any safe-integer time through the append (binary COPY or INSERT)', async () => {
    const odd = ev('id\\t\t1\n', 'u\r1\\', T0, {
      eventType: 'lesson_sent',
      contentId: 'c\t\\N',
      attributes: { s: 'a\tb\nc\\d\re' },
    });
    const wide = ev('ĩd-😀', 'ü-学習者', -86_400_123, {
      contentId: 'çontent',
      attributes: { s: 'ß😀', n: -1.5e-9 },
      profile: { role: 'é', region: '東' },
    });
    const far = ev('far', 'ü-学習者', 2 ** 52 + 7);
    await storage.eventLog.appendMany([odd, wide, far]);
    expect(await storage.eventLog.eventsForEntity('u\r1\\')).toEqual([odd]);
    expect(await storage.eventLog.eventsForEntity('ü-学習者')).toEqual([wide, far]);
  });

  it('reports which of the given events have their id logged for their entity (at any time)', async () => {
    await storage.eventLog.appendMany([ev('a', 'u1', T0), ev('b', 'u1', T0)]);
    const known = await storage.eventLog.existing([
      ev('a', 'u1', T0),
      ev('zz', 'u1', T0),
      ev('b', 'u1', T0),
      ev('b', 'u1', T0 + 1),
      ev('a', 'u2', T0),
    ]);
    expect(known).toEqual([true, false, true, true, false]);
    expect(await storage.eventLog.existing([])).toEqual([]);
  });

  it('returns events exactly as appended: types, optional fields, epoch ms', async () => {
    const full = ev('full', 'u1', 1_712_345_678_901, {
      channel: 'sms',
      contentId: 'lesson-7',
      attributes: { is_correct: false, time_taken_seconds: 0.1, n: -3, big: 1e21, tiny: 1e-7, s: 'é"\\' },
      profile: { role: 'nurse', region: 'apac' },
    });
    const bare = ev('bare', 'u1', 1_712_345_678_902);
    await storage.eventLog.appendMany([full, bare]);
    const back = await storage.eventLog.eventsForEntity('u1');
    expect(back).toEqual([full, bare]);
    expect('contentId' in back[1]).toBe(false);
    expect('profile' in back[1]).toBe(false);
  });

  it('splits a large append into statements of appendChunkRows, with the same answer', async () => {
    const log = repository({ appendChunkRows: 3 });
    const at = (id: string) => T0 + id.charCodeAt(0);
    await log.appendMany([ev('b', 'u1', at('b')), ev('f', 'u2', at('f'))]);
    const batch = ['a', 'b', 'c', 'a', 'd', 'e', 'f', 'g', 'c', 'h'].map((id) => ev(id, 'u1', at(id)));
    // Repeats within the batch first, then what the log had; u2's f is another entity's event.
    expect(await log.appendMany(batch)).toEqual({ inserted: 7, duplicateIds: ['a', 'c', 'b'], conflicts: [] });
    expect(await log.count()).toBe(9);
    expect((await log.eventsForEntity('u1')).map((e) => e.eventId)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('rejects an appendChunkRows that is not a positive integer', () => {
    expect(() => new EventLogRepository(storage.dataSource, { appendChunkRows: 0 })).toThrow(/appendChunkRows/);
  });

  it('writes a batch of 10,000 events in one append', async () => {
    const events = generate(10_000, 300);
    const start = Date.now();
    expect(await storage.eventLog.appendMany(events)).toEqual({ inserted: 10_000, duplicateIds: [], conflicts: [] });
    const ms = Date.now() - start;
    expect(ops).toEqual(['append']);
    expect(await storage.eventLog.count()).toBe(10_000);
    // Figure for the record; the benchmark proper is bench:ingest.
    console.log(`${_name}: 10k-event append in ${ms} ms`);
  });

  it('streams in (entity, event time, event id) order, byte-wise for ids', async () => {
    const events = [...generate(997, 23), ev('z', 'B', T0), ev('y', '_', T0), ev('x', 'a', T0), ev('w', 'a', T0)];
    await storage.eventLog.appendMany(events);
    const streamed = await collect(storage.eventLog.streamForEntities({ pageSize: 37 }));
    expect(streamed).toEqual([...events].sort(replayOrder));
  });

  it('filters the stream by entity and by event time (inclusive by default)', async () => {
    const events = generate(600, 10);
    await storage.eventLog.appendMany(events);
    const wanted = new Set(['learner-3', 'learner-7']);
    const until = T0 + 20 * 60_000;
    const expected = events.filter((e) => wanted.has(e.entityId) && e.eventTimeMs <= until).sort(replayOrder);
    expect(expected.some((e) => e.eventTimeMs === until)).toBe(true);
    const got = await collect(
      storage.eventLog.streamForEntities({ entityIds: [...wanted], untilMs: until, pageSize: 10 }),
    );
    expect(got).toEqual(expected);
    const exclusive = await collect(
      storage.eventLog.streamForEntities({ entityIds: [...wanted], untilMs: until, untilInclusive: false }),
    );
    expect(exclusive).toEqual(expected.filter((e) => e.eventTimeMs < until));
    expect(await collect(storage.eventLog.streamForEntities({ entityIds: [] }))).toEqual([]);
  });

  it('streams the listed entities page by page whatever their text: UTF-8 byte order, as the key sorts', async () => {
    // U+E000 sorts before an astral character in UTF-8 bytes but after it in UTF-16 (JavaScript).
    const ids = ['learner-9', 'é-1', '\u{1D4B3}-2', '\uE000-x', 'a', 'learner-10'];
    const events = ids.flatMap((id, k) => Array.from({ length: 7 }, (_, i) => ev(`${k}-${i}`, id, T0 + i * 60_000)));
    await storage.eventLog.appendMany([...events, ev('other', 'not-listed', T0)]);
    const bytes = (a: EngagementEvent, b: EngagementEvent) =>
      Buffer.compare(Buffer.from(a.entityId), Buffer.from(b.entityId)) || a.eventTimeMs - b.eventTimeMs;
    const listed = [...ids].reverse().concat(ids[0], 'never-logged');
    for (const pageSize of [1, 3, 7, 100]) {
      expect(await collect(storage.eventLog.streamForEntities({ entityIds: listed, pageSize }))).toEqual(
        [...events].sort(bytes),
      );
    }
  });

  it('estimates its size from the statistics, or counts where there are none yet', async () => {
    await storage.eventLog.appendMany(generate(300, 5));
    expect(await storage.eventLog.estimatedCount()).toBe(await storage.eventLog.count());
    await storage.dataSource.query('ANALYZE event_log');
    expect(await storage.eventLog.estimatedCount()).toBeGreaterThan(0);
  });

  it('answers a single point-in-time lookup up to the as-of time', async () => {
    await storage.eventLog.appendMany([
      ev('3', 'u', T0 + 3),
      ev('1', 'u', T0 + 1),
      ev('2', 'u', T0 + 2),
      ev('o', 'other', T0),
    ]);
    expect((await storage.eventLog.eventsForEntity('u', T0 + 2)).map((e) => e.eventId)).toEqual(['1', '2']);
    expect((await storage.eventLog.eventsForEntity('u', T0 + 2, false)).map((e) => e.eventId)).toEqual(['1']);
    expect((await storage.eventLog.eventsForEntity('u')).map((e) => e.eventId)).toEqual(['1', '2', '3']);
    expect(await storage.eventLog.eventsForEntity('nobody', T0 + 10)).toEqual([]);
  });

  it('holds at most two pages in memory while streaming', async () => {
    await storage.eventLog.appendMany(generate(1000, 50));
    const stream = storage.eventLog.streamForEntities({ pageSize: 100 });
    let seen = 0;
    let pagesWhenFirstSeen = -1;
    for await (const _e of stream) {
      if (seen++ === 0) pagesWhenFirstSeen = ops.filter((o) => o === 'stream_page').length;
    }
    expect(seen).toBe(1000);
    expect(pagesWhenFirstSeen).toBeLessThanOrEqual(2);
    // Ten full pages and the empty one that proves the end.
    expect(ops.filter((o) => o === 'stream_page').length).toBe(11);
  });

  it('lets the consumer of a stream query the database inside its loop', async () => {
    await storage.eventLog.appendMany(generate(300, 5));
    let lookups = 0;
    for await (const e of storage.eventLog.streamForEntities({ pageSize: 50 })) {
      if (lookups < 5) {
        expect((await storage.eventLog.eventsForEntity(e.entityId, e.eventTimeMs)).length).toBeGreaterThan(0);
        lookups++;
      }
    }
    expect(lookups).toBe(5);
  });

  it('rejects a fractional event time with an error naming the event', async () => {
    await expect(storage.eventLog.appendMany([ev('frac', 'u', T0 + 0.5)])).rejects.toThrow(/event frac: eventTimeMs/);
  });
});

describe('embedded PGlite with a data directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulse-pglite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the event log across a restart', async () => {
    const first = await startEmbeddedPostgres({ dataDir: dir });
    try {
      const a = await initStorage(first.storageOptions);
      await a.eventLog.appendMany(generate(50, 5));
      await a.close();
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedPostgres({ dataDir: dir });
    try {
      const b = await initStorage(second.storageOptions);
      expect(b.appliedMigrations).toEqual([]);
      expect(await b.eventLog.count()).toBe(50);
      await b.close();
    } finally {
      await second.stop();
    }
  });
});

describe('initStorage on real Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('lets several copies start at once and migrates exactly once', async () => {
    const copies = await Promise.all([
      initStorage({ url: db.url }),
      initStorage({ url: db.url }),
      initStorage({ url: db.url }),
    ]);
    try {
      expect(copies.map((c) => c.appliedMigrations.length).sort()).toEqual([0, 0, STORAGE_MIGRATIONS.length]);
    } finally {
      await Promise.all(copies.map((c) => c.close()));
    }
  });

  it('fails fast with the address, without the password, when Postgres is unreachable', async () => {
    await expect(
      initStorage({ url: 'postgres://pulse:hunter2@127.0.0.1:1/none', connectTimeoutMs: 500 }),
    ).rejects.toThrow(/cannot connect to Postgres at postgres:\/\/pulse:\*\*\*@127\.0\.0\.1:1\/none/);
  });
});
