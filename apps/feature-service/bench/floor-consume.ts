// The floor: the least any consumer meeting issue 2's contract must do per event, measured on the same
// broker, feed and machine as the service. It does strictly less than the contract asks, so its rate
// is an upper bound on what any implementation can reach here:
//   - decode the protobuf record (no validation, no catalog, no DLQ);
//   - append (entity_id, event_time_ms, event_id) to a Postgres table keyed by those three (the least
//     an idempotent log needs: no payload columns), by one COPY per batch as the service does (the
//     service falls back to INSERT … ON CONFLICT when a COPY meets a logged event; here none does);
//   - write one small Redis value per entity of the batch, in one MSET (no read of the old state, no
//     fold, no TTL, no compare-and-set);
//   - commit the batch's offsets after both.
// Where this rate is under half the raw consume rate, no feature code, however fast, meets the
// issue's ratio target on this machine with this consumer.
// The 'batch-segments' variant drops even the row per event: the batch's record values go into one
// bytea row keyed by (partition, first offset), idempotent for redelivery of the same batch and with
// no dedup by event id at all (a design that keeps the log as segments and dedups elsewhere). It is the
// floor for any design that persists every event in Postgres and keeps per-entity state in Redis.
import { fromBinary } from '@bufbuild/protobuf';
import Redis from 'ioredis';
import type { EachBatchPayload } from 'kafkajs';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { KafkaBus } from '@pulse/bus';
import { pulsev1 } from '@pulse/contracts';
import { randomName } from '@pulse/testing';
import { cpuSecondsOf, processCpuSeconds } from './bench-resources';
import type { FeedReport, KcatProducer } from './kcat-producer';
import type { RawRate } from './raw-consume';

/** How the floor persists its log: a row per event keyed by event id, or one row per consumed batch. */
export type FloorLog = 'event-rows' | 'batch-segments';

export interface FloorResult extends RawRate {
  readonly log: FloorLog;
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

const COPY_SQL = 'COPY floor_log (entity_id, event_time_ms, event_id) FROM STDIN';
const SEGMENT_SQL = `
  INSERT INTO floor_segment (topic_partition, base_offset, records) VALUES ($1, $2, $3)
  ON CONFLICT (topic_partition, base_offset) DO NOTHING`;

async function copy(pool: Pool, text: string): Promise<void> {
  const client = await pool.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = client.query(copyFrom(COPY_SQL));
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(text);
    });
  } finally {
    client.release();
  }
}

/** The batch's record values, each after its 4-byte length, as one buffer. */
function segmentOf(values: readonly Buffer[]): Buffer {
  let size = 0;
  for (const v of values) size += 4 + v.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const v of values) {
    out.writeUInt32BE(v.length, at);
    v.copy(out, at + 4);
    at += 4 + v.length;
  }
  return out;
}

export async function floorStreaming(
  bus: KafkaBus,
  producer: KcatProducer,
  events: number,
  maxAhead: number,
  databaseUrl: string,
  redisUrl: string,
  redisPrefix: string,
  log: FloorLog = 'event-rows',
): Promise<FloorResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: PARTITIONS_CONCURRENTLY });
  const redis = new Redis(redisUrl, { keyPrefix: redisPrefix, lazyConnect: true });
  await redis.connect();
  await pool.query(
    log === 'event-rows'
      ? 'CREATE TABLE floor_log (entity_id text COLLATE "C", event_time_ms bigint, event_id text COLLATE "C", PRIMARY KEY (entity_id, event_time_ms, event_id))'
      : 'CREATE TABLE floor_segment (topic_partition int NOT NULL, base_offset bigint NOT NULL, records bytea NOT NULL, PRIMARY KEY (topic_partition, base_offset))',
  );
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
        let rows = '';
        const latest = new Map<string, number>();
        for (let k = 0; k < batch.messages.length; k++) {
          const m = fromBinary(pulsev1.EngagementEventSchema, batch.messages[k].value!);
          const t = m.eventTime;
          const ms = t === undefined ? 0 : Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
          // The simulator's ids need no COPY escaping.
          if (log === 'event-rows') rows += `${m.entityId}\t${ms}\t${m.eventId}\n`;
          latest.set(m.entityId, ms);
        }
        const mset: string[] = [];
        for (const [entity, ms] of latest) mset.push(entity, String(ms));
        const append =
          log === 'event-rows'
            ? copy(pool, rows)
            : pool.query(SEGMENT_SQL, [
                batch.partition,
                batch.firstOffset(),
                segmentOf(batch.messages.map((m) => m.value!)),
              ]);
        await Promise.all([append, redis.mset(mset)]);
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
    const { rows } = await pool.query<{ n: string }>(
      log === 'event-rows' ? 'SELECT count(*) AS n FROM floor_log' : 'SELECT count(*) AS n FROM floor_segment',
    );
    return {
      log,
      events,
      ms,
      perSecond: (events * 1000) / ms,
      feed,
      rows: Number(rows[0].n),
      processCpuS: (cpu.user + cpu.system) / 1e6,
      postgresCpuS,
      redisCpuS,
    };
  } finally {
    await consumer.disconnect();
    await pool.end();
    redis.disconnect();
  }
}
