// Event-log append throughput on a real Postgres: the repository's binary COPY (its default), its
// INSERT ... SELECT FROM json_to_recordset (bulkLoad 'insert', the embedded database's way) and the
// classic multi-row INSERT ... VALUES with the same ON CONFLICT, one statement per 1000 rows.
// Then streams the whole log back in replay order and reports the rate and the peak heap, which
// must stay flat however large the log is.
// Usage: node dist/libs/storage/bench/event-log-append.js [postgres admin URL]
// PULSE_BENCH_STREAM_EVENTS sets the log size for the streaming part (default 1,000,000).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { EngagementEvent } from '@pulse/contracts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import { EventLogRepository, initStorage, type Storage } from '@pulse/storage';

const ADMIN_URL =
  process.argv[2] ?? process.env.PULSE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH_SIZES = [500, 2000, 5000];
const ROUNDS = 7;
const STREAM_EVENTS = Number(process.env.PULSE_BENCH_STREAM_EVENTS ?? 1_000_000);

let next = 0;
function batch(n: number): EngagementEvent[] {
  return Array.from({ length: n }, () => {
    const i = next++;
    return {
      eventId: `bench-${i}`,
      entityId: `learner-${i % 5000}`,
      eventType: 'assessment_answered',
      eventTimeMs: 1_700_000_000_000 + i * 1000,
      channel: 'web',
      contentId: `lesson-${i % 40}`,
      attributes: { is_correct: i % 3 !== 0, time_taken_seconds: (i % 900) / 10 },
      profile: { role: 'engineer', region: 'eu' },
    };
  });
}

async function multiRow(storage: Storage, events: EngagementEvent[]): Promise<void> {
  const params: unknown[] = [];
  const rows: string[] = [];
  for (const e of events) {
    const b = params.length;
    params.push(
      e.eventId,
      e.entityId,
      e.eventType,
      e.eventTimeMs,
      e.channel,
      e.contentId ?? null,
      JSON.stringify(e.attributes),
      e.profile ? JSON.stringify(e.profile) : null,
    );
    rows.push(`($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8})`);
  }
  await storage.dataSource.query(
    `INSERT INTO event_log (event_id, entity_id, event_type, event_time_ms, channel, content_id, attributes, profile)
     VALUES ${rows.join(',')} ON CONFLICT (entity_id, event_time_ms, event_id) DO NOTHING RETURNING event_id`,
    params,
  );
}

async function streamBench(storage: Storage): Promise<void> {
  while (next < STREAM_EVENTS) await storage.eventLog.appendMany(batch(Math.min(10_000, STREAM_EVENTS - next)));
  const total = await storage.eventLog.count();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let n = 0;
  const start = process.hrtime.bigint();
  for await (const _event of storage.eventLog.streamForEntities()) {
    if (++n % 10_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  console.log(
    `streamed ${n} of ${total} events in replay order: ${Math.round(n / seconds)} events/s, ` +
      `heap ${mb(heapBefore)} MB before, ${mb(peakHeap)} MB peak`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const name = `pulse_bench_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const storage = await initStorage({ url: url.toString() });
  try {
    console.log(`event_log append, ${ROUNDS} rounds per cell, median events/s (higher is better)`);
    console.log('batch   COPY (repository)   json_to_recordset (repository)   multi-row VALUES');
    const inserting = new EventLogRepository(storage.dataSource, { bulkLoad: 'insert' });
    for (const size of BATCH_SIZES) {
      const rates: Record<'copy' | 'insert' | 'values', number[]> = { copy: [], insert: [], values: [] };
      for (let r = 0; r < ROUNDS; r++) {
        for (const method of ['copy', 'insert', 'values'] as const) {
          const events = batch(size);
          const start = process.hrtime.bigint();
          if (method === 'copy') await storage.eventLog.appendMany(events);
          else if (method === 'insert') await inserting.appendMany(events);
          else await multiRow(storage, events);
          rates[method].push(size / (Number(process.hrtime.bigint() - start) / 1e9));
        }
      }
      console.log(
        `${String(size).padEnd(8)}${String(Math.round(median(rates.copy))).padEnd(20)}${String(Math.round(median(rates.insert))).padEnd(33)}${Math.round(median(rates.values))}`,
      );
    }
    await streamBench(storage);
  } finally {
    await storage.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
