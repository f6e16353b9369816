// The floor: the least any consumer meeting issue 2's contract must do per event, measured on the same
// broker, feed and machine as the service. It does strictly less than the contract asks, so its rate
// is an upper bound on what any implementation can reach here:
//   - decode the protobuf record (no validation, no catalog, no DLQ);
//   - append (event_id, entity_id, event_time_ms) to a Postgres table keyed by event_id (the least an
//     idempotent log needs: no payload columns, no replay index), one statement per batch;
//   - write one small Redis value per entity of the batch, in one MSET (no read of the old state, no
//     fold, no TTL, no compare-and-set);
//   - commit the batch's offsets after both.
// Where this rate is under half the raw consume rate, no feature code, however fast, meets the
// issue's ratio target on this machine with this consumer.
import { fromBinary } from '@bufbuild/protobuf';
import Redis from 'ioredis';
import type { EachBatchPayload } from 'kafkajs';
import { Pool } from 'pg';
import { KafkaBus } from '@pulse/bus';
import { pulsev1 } from '@pulse/contracts';
import { randomName } from '@pulse/testing';
import { cpuSecondsOf, processCpuSeconds } from './bench-resources';
import type { FeedReport, KcatProducer } from './kcat-producer';
import type { RawRate } from './raw-consume';

export interface FloorResult extends RawRate {
  readonly feed: FeedReport;
  readonly rows: number;
  /** CPU seconds of this process over the run (the floor's consumer, its pg and Redis clients). */
  readonly processCpuS: number;
  /** CPU seconds of the floor's Postgres backends and of the Redis server over the run. */
  readonly postgresCpuS: number;
  readonly redisCpuS: number;
}

/** As many partitions at once as feature-service handles by default (PARTITIONS_CONCURRENTLY). */
const PARTITIONS_CONCURRENTLY = 4;

const INSERT_SQL = `
  INSERT INTO floor_log (event_id, entity_id, event_time_ms)
  SELECT r.i, r.e, r.ms FROM json_to_recordset($1::json) AS r(i text, e text, ms bigint)
  ON CONFLICT (event_id) DO NOTHING`;

export async function floorStreaming(
  bus: KafkaBus,
  producer: KcatProducer,
  events: number,
  maxAhead: number,
  databaseUrl: string,
  redisUrl: string,
  redisPrefix: string,
): Promise<FloorResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: PARTITIONS_CONCURRENTLY });
  const redis = new Redis(redisUrl, { keyPrefix: redisPrefix, lazyConnect: true });
  await redis.connect();
  await pool.query('CREATE TABLE floor_log (event_id text PRIMARY KEY, entity_id text NOT NULL, event_time_ms bigint NOT NULL)');
  // Every backend the pool will use exists before the clock starts, so their CPU can be read.
  const clients = await Promise.all(Array.from({ length: PARTITIONS_CONCURRENTLY }, () => pool.connect()));
  const pgPids = clients.map((c) => (c as unknown as { processID: number }).processID);
  for (const c of clients) c.release();
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  const topic = randomName('bench-floor');
  const consumer = bus.kafka.consumer(bus.consumerConfig(randomName('bench-floor')));
  let count = 0;
  let target: { n: number; resolve: () => void } | null = null;
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload) => {
        const rows = new Array<{ i: string; e: string; ms: number }>(batch.messages.length);
        const latest = new Map<string, number>();
        for (let k = 0; k < batch.messages.length; k++) {
          const m = fromBinary(pulsev1.EngagementEventSchema, batch.messages[k].value!);
          const t = m.eventTime;
          const ms = t === undefined ? 0 : Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
          rows[k] = { i: m.eventId, e: m.entityId, ms };
          latest.set(m.entityId, ms);
        }
        const mset: string[] = [];
        for (const [entity, ms] of latest) mset.push(entity, String(ms));
        await Promise.all([pool.query(INSERT_SQL, [JSON.stringify(rows)]), redis.mset(mset)]);
        resolveOffset(batch.lastOffset());
        await commitOffsetsIfNecessary();
        count += batch.messages.length;
        if (target && count >= target.n) {
          target.resolve();
          target = null;
        }
      },
    });
    await joined;
    const plan = producer.prepare(0, events);
    const cpuBefore = process.cpuUsage();
    const pgBefore = cpuSecondsOf(pgPids);
    const redisBefore = processCpuSeconds(redisPid) ?? 0;
    const started = performance.now();
    const fed = producer.send(topic, plan, { maxAhead, consumed: () => count });
    await (count >= events ? Promise.resolve() : new Promise<void>((resolve) => (target = { n: events, resolve })));
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const postgresCpuS = cpuSecondsOf(pgPids) - pgBefore;
    const redisCpuS = (processCpuSeconds(redisPid) ?? 0) - redisBefore;
    const feed = await fed;
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM floor_log');
    return { events, ms, perSecond: (events * 1000) / ms, feed, rows: Number(rows[0].n), processCpuS: (cpu.user + cpu.system) / 1e6, postgresCpuS, redisCpuS };
  } finally {
    await consumer.disconnect();
    await pool.end();
    redis.disconnect();
  }
}
