import {
  CONTENT_TYPE_HEADER,
  ContentTypes,
  encodeEngagementEvent,
  engagementEventToJson,
  type EngagementEvent,
} from '@pulse/contracts';
import { DEFAULT_ALLOWED_LATENESS_MS, learningEngagementRegistry } from '@pulse/features';
import { waitFor } from '@pulse/testing';
import { FaultHarness, MOCK_PARTITIONS, type DlqEntry } from './fault-harness';
import { collectOutcome, type Outcome } from './outcome';
import type { ServiceProcess } from './service-process';
import { getMetrics, metricSamples } from './service-reads';
import {
  generateStream,
  jsonValue,
  partitionOf,
  StreamProducer,
  type GeneratedStream,
  type SentRecord,
} from './stream';
import { compareDlq, compareLog, compareStates, computeTruth, expectNoFaults, type Truth } from './truth';

// Poison: events that look valid but that Postgres cannot store as sent, in the middle of a stream —
// by Kafka (JSON and protobuf; one of them the last record of its partition) and by POST /v1/events.
// Two kinds: values Postgres text cannot hold (U+0000; a lone surrogate, which would be stored as
// another string), which validation may catch (invalid_value naming the field); and values that pass
// every validation but that this test's database refuses the way Postgres refuses a NUL (a trigger
// raising SQLSTATE 22021 naming the column content_id for content ids starting "unstorable-"), which
// only the log append can find (storage_rejected naming the field, after bounded retries). Each must
// reach the DLQ once naming its field, or over HTTP be refused to the caller naming it; the partition
// must go on (everything after it logged and counted, in the state too), and pulse_consumer_lag must
// come back to 0 on every partition. A storage poison's event time is 3 h past its learner's next
// events: if it moved the learner's watermark, they would turn too late.
const SEED = process.env.PULSE_FAULT_SEED ?? 'poison-1';

/** Where a poison hides, and what the DLQ (or the HTTP answer) may name: the field, or its log column. */
interface PoisonSpec {
  readonly name: string;
  readonly format: 'json' | 'protobuf';
  readonly fields: readonly string[];
  readonly make: (e: EngagementEvent) => EngagementEvent;
}

const NUL = '\u0000';
const refused = (format: 'json' | 'protobuf', n: number): PoisonSpec => ({
  name: `content_id the log refuses (${format} #${n})`,
  format,
  fields: ['content_id'],
  make: (e) => ({ ...e, contentId: `unstorable-${format}-${n}`, eventTimeMs: e.eventTimeMs + 3 * 3_600_000 }),
});
const POISONS: readonly PoisonSpec[] = [
  {
    name: 'content_id with NUL (JSON)',
    format: 'json',
    fields: ['content_id'],
    make: (e) => ({ ...e, contentId: `a${NUL}b` }),
  },
  refused('json', 1),
  {
    name: 'content_id with NUL (protobuf)',
    format: 'protobuf',
    fields: ['content_id'],
    make: (e) => ({ ...e, contentId: `lesson${NUL}` }),
  },
  refused('protobuf', 2),
  {
    name: 'event_id with NUL',
    format: 'json',
    fields: ['event_id'],
    make: (e) => ({ ...e, eventId: `${e.eventId}${NUL}x` }),
  },
  refused('json', 3),
  {
    name: 'entity_id with NUL',
    format: 'json',
    fields: ['entity_id'],
    make: (e) => ({ ...e, entityId: `${e.entityId}${NUL}` }),
  },
  refused('protobuf', 4),
  {
    name: 'profile.region with NUL',
    format: 'json',
    fields: ['profile.region', 'profile'],
    make: (e) => ({ ...e, profile: { role: 'analyst', region: `emea${NUL}` } }),
  },
  refused('json', 5),
  {
    name: 'event_type with NUL',
    format: 'protobuf',
    fields: ['event_type'],
    make: (e) => ({ ...e, eventType: `${e.eventType}${NUL}` }),
  },
  refused('json', 6),
  {
    name: 'content_id with a lone surrogate',
    format: 'json',
    fields: ['content_id'],
    make: (e) => ({ ...e, contentId: 'quiz-\ud800' }),
  },
  refused('protobuf', 7),
];
/** The last record of its partition: one the log refuses (nothing validation could catch). */
const TAIL_POISON: PoisonSpec = {
  name: 'content_id the log refuses, last of its partition',
  format: 'json',
  fields: ['content_id'],
  make: (e) => ({ ...e, contentId: 'unstorable-tail' }),
};
const ACCEPTED_REASONS = ['invalid_value', 'storage_rejected'];

/** Makes the test database refuse content ids starting "unstorable-" as Postgres refuses a NUL: SQLSTATE 22021, naming the column. */
const REFUSE_UNSTORABLE = `
CREATE FUNCTION fault_refuse_unstorable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.content_id LIKE 'unstorable-%' THEN
    RAISE EXCEPTION 'invalid byte sequence for encoding "UTF8": 0x00' USING ERRCODE = '22021', COLUMN = 'content_id', TABLE = 'event_log';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER fault_refuse_unstorable BEFORE INSERT OR UPDATE ON event_log FOR EACH ROW EXECUTE FUNCTION fault_refuse_unstorable();
`;

function poisonRecord(spec: PoisonSpec, base: EngagementEvent): Omit<SentRecord, 'seq' | 'offset'> {
  const event = spec.make({ ...base, eventId: `${base.eventId}-poison` });
  const { bytes, contentType } =
    spec.format === 'json'
      ? { bytes: jsonValue(event), contentType: ContentTypes.json }
      : encodeEngagementEvent(event, 'protobuf');
  return {
    kind: 'bad',
    note: 'poison',
    key: base.entityId,
    partition: partitionOf(base.entityId),
    value: Buffer.from(bytes),
    headers: { [CONTENT_TYPE_HEADER]: contentType },
    bad: {
      kind: 'poison',
      reason: ACCEPTED_REASONS[0],
      alsoReasons: ACCEPTED_REASONS.slice(1),
      field: spec.fields[0],
      alsoFields: spec.fields.slice(1),
    },
  };
}

describe('feature-service and poison events (child process; Kafka mock, Postgres, Redis)', () => {
  const h = new FaultHarness('poison');
  const registry = learningEngagementRegistry({ allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS });
  let stream: GeneratedStream;
  let records: SentRecord[];
  let truth: Truth;
  let svc: ServiceProcess;
  let outcome: Outcome;
  const poisons: { spec: PoisonSpec; record: SentRecord }[] = [];
  // POST /v1/events: a batch of valid events of learners of their own, with poison among them.
  const posted: { item: Record<string, unknown>; poison?: PoisonSpec; event?: EngagementEvent }[] = [];
  let postAnswer: {
    status: number;
    body: { accepted?: number; rejected?: number; errors?: { index: number; reason: string; field?: string }[] };
  };
  let producer: StreamProducer;
  let lagSeen: Record<string, number> = {};
  let lagAtZero = false;

  beforeAll(async () => {
    await h.setUp();
    stream = generateStream({ seed: SEED, learners: 120, days: 8, allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS });
    // Poison spread through the stream, each keyed by a learner whose events go on after it.
    const base = stream.records;
    const at = POISONS.map((_, i) => Math.floor(((i + 1) / (POISONS.length + 1)) * base.length));
    records = [];
    let next = 0;
    for (let k = 0; k < base.length; k++) {
      records.push(base[k]);
      if (k === at[next] - 1) {
        const anchor = base.slice(k + 1).find((r) => r.kind === 'valid' && r.note === 'event')!.event!;
        const spec = POISONS[next++];
        const record = { ...poisonRecord(spec, anchor), seq: -1, offset: -1 } as SentRecord;
        poisons.push({ spec, record });
        records.push(record);
      }
    }
    // And one as the very last record of its partition: nothing after it to carry the partition on.
    // At its learner's newest event time: on time, so nothing but the log can refuse it.
    const lastValid = [...base].reverse().find((r) => r.kind === 'valid')!.event!;
    const newest = Math.max(
      ...base
        .filter((r) => r.kind === 'valid' && r.event!.entityId === lastValid.entityId)
        .map((r) => r.event!.eventTimeMs),
    );
    const tail = {
      ...poisonRecord(TAIL_POISON, { ...lastValid, eventId: `${lastValid.eventId}-tail`, eventTimeMs: newest }),
      seq: -1,
      offset: -1,
    } as SentRecord;
    poisons.push({ spec: TAIL_POISON, record: tail });
    records.push(tail);
    records = records.map((r, seq) => Object.assign(r, { seq }));

    // The first half waits in the topic (the service's first batches hold a poison amid many events of
    // its learner, before and after it); the second half streams in while the service runs.
    producer = new StreamProducer(h, { seed: SEED, chunkSize: 500 });
    await producer.connect();
    const half = Math.floor(records.length / 2);
    await producer.produce(records.slice(0, half));
    svc = await h.service('feature-service');
    await svc.start({ ready: false });
    // The service makes the event log at startup (migrations); from then on the database refuses the
    // "unstorable" ones. (Until the trigger is there nothing is appended: the log stays empty.)
    await waitFor(() => h.sql('SELECT 1 FROM event_log LIMIT 0').then(() => true), {
      timeoutMs: 60_000,
      intervalMs: 5,
      message: 'the event_log table',
    });
    await h.sql(REFUSE_UNSTORABLE);
    const early = await h.logCount();
    await svc.waitReady();
    await h.sql(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'fault_refuse_unstorable') THEN RAISE EXCEPTION 'the trigger is gone'; END IF; END $$`,
    );
    await producer.produce(records.slice(half));
    await producer.disconnect();
    if (early > 0)
      throw new Error(
        `the log had ${early} rows before the trigger was installed: the first poison may have been stored`,
      );

    // Over HTTP, after everything produced to Kafka (the service publishes to the same topic).
    const learners = Array.from({ length: 6 }, (_, i) => `poison-post-learner-${i}`);
    const template = base.find((r) => r.kind === 'valid' && r.event!.eventType === 'lesson_started')!.event!;
    let t = template.eventTimeMs;
    for (let i = 0; i < 6 * (POISONS.length + 1); i++) {
      const event: EngagementEvent = {
        ...template,
        eventId: `post-${i}-evt`,
        entityId: learners[i % learners.length],
        eventTimeMs: (t += 60_000),
      };
      const poison = i % 6 === 3 ? POISONS[((i - 3) / 6) % POISONS.length] : undefined;
      if (poison)
        posted.push({ item: engagementEventToJson(poison.make(event)) as unknown as Record<string, unknown>, poison });
      else posted.push({ item: engagementEventToJson(event) as unknown as Record<string, unknown>, event });
    }
    const res = await fetch(`${svc.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(posted.map((p) => p.item)),
    });
    postAnswer = { status: res.status, body: (await res.json()) as typeof postAnswer.body };

    // The truth: the Kafka records, then the posted valid events (their learners are their own).
    const postedRecords: SentRecord[] = posted
      .filter((p) => p.event)
      .map((p, i) => ({
        seq: records.length + i,
        kind: 'valid',
        note: 'event',
        key: p.event!.entityId,
        partition: -1,
        value: Buffer.alloc(0),
        headers: {},
        event: p.event,
        offset: -1,
      }));
    truth = computeTruth([...records, ...postedRecords], registry);

    outcome = await collectOutcome(h, svc, truth, 90_000);
    // pulse_consumer_lag back to 0 on every partition of the topic (polled: it is a gauge).
    try {
      await waitFor(
        async () => {
          const samples = metricSamples(await getMetrics(svc.url), 'pulse_consumer_lag').filter(
            (s) => s.labels.topic === h.topics.events,
          );
          lagSeen = Object.fromEntries(samples.map((s) => [s.labels.partition, s.value]));
          return samples.length === MOCK_PARTITIONS && samples.every((s) => s.value === 0);
        },
        { timeoutMs: 30_000, intervalMs: 250, message: 'pulse_consumer_lag 0 on every partition' },
      );
      lagAtZero = true;
    } catch {
      lagAtZero = false;
    }
  }, 300_000);

  afterAll(async () => {
    const where = poisons.map(
      ({ spec, record }) => `${spec.name} @${record.partition}:${record.offset} (${record.key})`,
    );
    console.log(
      `poison (seed ${SEED}): ${JSON.stringify(truth?.counts)}; poisons ${JSON.stringify(where)}; POST refused ${JSON.stringify(postAnswer?.body?.errors?.map((e) => `${e.index}:${e.reason}/${e.field}`))}; lag ${JSON.stringify(lagSeen)}`,
    );
    await h.tearDown();
  }, 60_000);

  it('sent the poison mid-stream: on partitions with valid events after it, and one as the last record of its partition', () => {
    expect(poisons).toHaveLength(POISONS.length + 1);
    for (const { record } of poisons.slice(0, -1)) {
      expect(
        records.some((r) => r.kind === 'valid' && r.partition === record.partition && r.offset > record.offset),
      ).toBe(true);
    }
    const tail = poisons[poisons.length - 1].record;
    expect(Math.max(...records.filter((r) => r.partition === tail.partition).map((r) => r.offset))).toBe(tail.offset);
  });

  it('each poison record from Kafka is in the DLQ exactly once, naming its field', () => {
    const found = poisons.map(({ spec, record }) => {
      const got = h.dlq.entries.filter(
        (e) => e.record?.sourcePartition === record.partition && e.record.sourceOffset === String(record.offset),
      );
      return {
        poison: spec.name,
        copies: got.length,
        ok:
          got.length === 1 &&
          ACCEPTED_REASONS.includes(got[0].record!.reason) &&
          spec.fields.includes(got[0].record!.field ?? ''),
        got: got.map((g) => `${g.record!.reason}/${g.record!.field ?? '-'}`),
        sameBytes: got.every((g) => Buffer.from(g.record!.original).equals(record.value)),
      };
    });
    expect(found.filter((f) => !f.ok || !f.sameBytes)).toEqual([]);
  });

  /** DLQ records of what the service itself published (POST /v1/events): past the end of what this test produced. */
  const fromPost = (e: DlqEntry) =>
    e.record !== null && Number(e.record.sourceOffset) >= producer.endOffsets[e.record.sourcePartition];

  it('POST /v1/events: each poison is refused to the caller naming its field, or accepted and dead-lettered once naming it; the rest of the batch is accepted', () => {
    expect(postAnswer.status).toBe(202);
    const errors = postAnswer.body.errors ?? [];
    const postDead = h.dlq.entries.filter(fromPost);
    const problems: string[] = [];
    let acceptedPoisons = 0;
    posted.forEach((p, index) => {
      const refused = errors.filter((e) => e.index === index);
      if (!p.poison) {
        if (refused.length > 0) problems.push(`valid item ${index} refused: ${JSON.stringify(refused)}`);
        return;
      }
      const id = Buffer.from(String(p.item.event_id).split(NUL)[0]);
      const dead = postDead.filter((e) => Buffer.from(e.record!.original).includes(id));
      const named = (reason: string, field: string | undefined) =>
        ACCEPTED_REASONS.includes(reason) && p.poison!.fields.includes(field ?? '');
      if (refused.length === 1) {
        if (!named(refused[0].reason, refused[0].field))
          problems.push(`item ${index} (${p.poison.name}) refused as ${refused[0].reason}/${refused[0].field}`);
        if (dead.length > 0) problems.push(`item ${index} (${p.poison.name}) refused and dead-lettered too`);
      } else {
        acceptedPoisons++;
        if (dead.length !== 1 || !named(dead[0].record!.reason, dead[0].record!.field)) {
          problems.push(
            `item ${index} (${p.poison.name}) accepted; its dead letters: ${JSON.stringify(dead.map((d) => `${d.record!.reason}/${d.record!.field}`))}`,
          );
        }
      }
    });
    // Nothing else published by the service was dead-lettered.
    if (postDead.length !== acceptedPoisons)
      problems.push(`${postDead.length} dead letters of posted events, ${acceptedPoisons} poisons accepted`);
    expect(problems).toEqual([]);
    expect(postAnswer.body.accepted).toBe(posted.length - errors.length);
    expect(posted.filter((p) => p.poison).length).toBeGreaterThanOrEqual(POISONS.length);
  });

  it('the DLQ holds every bad, too-late and poison record from Kafka once (poison naming its field), and nothing else', () => {
    expectNoFaults(
      compareDlq(
        truth,
        h.dlq.entries.filter((e) => !fromPost(e)),
        h.topics.events,
      ),
    );
  });

  it('the partitions went on: every valid event after a poison is logged, the group committed every partition to its end, and pulse_consumer_lag is back to 0', () => {
    const logged = new Set(outcome.log.map((e) => e.eventId));
    for (const { spec, record } of poisons) {
      const after = records.filter(
        (r) =>
          r.partition === record.partition &&
          r.offset > record.offset &&
          r.kind === 'valid' &&
          truth.applied.get(r.event!.eventId) !== undefined,
      );
      const missing = after.filter((r) => !logged.has(r.event!.eventId));
      expect({
        poison: spec.name,
        after: after.length > 0 || record === poisons[poisons.length - 1].record,
        missing: missing.length,
      }).toEqual({ poison: spec.name, after: true, missing: 0 });
    }
    expect({ caughtUp: outcome.caughtUp, lag: outcome.lag, lagMetricAtZero: lagAtZero, lagMetric: lagSeen }).toEqual({
      caughtUp: true,
      lag: [0, 0, 0, 0],
      lagMetricAtZero: true,
      lagMetric: { '0': 0, '1': 0, '2': 0, '3': 0 },
    });
    expect(outcome.errors).toEqual([]);
  });

  it('the event log holds exactly the accepted events (no poison, nothing lost around it), and every state equals the truth', () => {
    expectNoFaults(compareLog(truth, outcome.log));
    expectNoFaults(compareStates(truth, outcome.log, registry, outcome.answers, outcome.redisStates));
    // No poison made it into the log in any form.
    expect(
      outcome.log.filter(
        (e) =>
          e.eventId.includes('-poison') ||
          e.eventId.includes(NUL) ||
          (e.contentId ?? '').startsWith('unstorable-') ||
          (e.contentId ?? '').includes(NUL),
      ),
    ).toEqual([]);
  });
});
