import { spawn } from 'node:child_process';
import { Partitioners, type Producer } from 'kafkajs';
import {
  CONTENT_TYPE_HEADER,
  ContentTypes,
  engagementEventToJson,
  type EngagementEvent,
  type RejectionReason,
} from '@pulse/contracts';
import { createSimulation, Prng } from '@pulse/simulator';
import { kafkaTestBrokers, waitFor } from '@pulse/testing';
import { endOffsets, MOCK_PARTITIONS, type FaultHarness } from './fault-harness';

/** How a bad record is bad, with what the service must say about it in the DLQ. */
export type BadKind =
  | 'truncated_json'
  | 'invalid_utf8'
  | 'unknown_event_type'
  | 'missing_entity_id'
  | 'missing_event_time'
  | 'missing_attribute'
  | 'wrong_type_attribute';

export const BAD_KINDS: Readonly<Record<BadKind, { readonly reason: RejectionReason; readonly field?: string }>> = {
  truncated_json: { reason: 'undecodable' },
  invalid_utf8: { reason: 'undecodable' },
  unknown_event_type: { reason: 'unknown_event_type', field: 'event_type' },
  missing_entity_id: { reason: 'missing_field', field: 'entity_id' },
  missing_event_time: { reason: 'missing_field', field: 'event_time' },
  missing_attribute: { reason: 'missing_field', field: 'attributes.is_correct' },
  wrong_type_attribute: { reason: 'wrong_type', field: 'attributes.time_taken_seconds' },
};

/** Why a record is in the stream. */
export type RecordNote = 'event' | 'resend' | 'too_late' | 'edge_on_time' | 'edge_late' | 'bad' | 'poison';

/** One record as produced to the events topic, with what the test knows about it. */
export interface SentRecord {
  /** Position in send order. */
  readonly seq: number;
  readonly kind: 'valid' | 'bad';
  readonly note: RecordNote;
  readonly key: string;
  readonly partition: number;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** A valid record: the event the service decodes from it (an object of its own per send). */
  readonly event?: EngagementEvent;
  /** A bad record: its defect and the DLQ reason (and field) it must get. */
  readonly bad?: {
    readonly kind: BadKind | 'poison';
    readonly reason: string;
    readonly field?: string;
    /** Other reasons and fields the DLQ record may give (e.g. a validation or a storage rejection). */
    readonly alsoReasons?: readonly string[];
    readonly alsoFields?: readonly string[];
  };
  /** Kafka offset, set once the broker acknowledged it. */
  offset: number;
  via?: 'kafkajs' | 'kcat';
}

export interface StreamOptions {
  readonly seed: string;
  readonly learners: number;
  readonly days: number;
  /** The service's ALLOWED_LATENESS_MS (default DEFAULT_ALLOWED_LATENESS_MS). */
  readonly allowedLatenessMs: number;
  /** Records (of any kind) sent again later, byte for byte. Default 0.01. */
  readonly duplicateFraction?: number;
  /** Events more than the allowed lateness behind their learner's newest event. Default 0.004. */
  readonly tooLateFraction?: number;
  /** Pairs of events exactly at (on time) and 1 ms past (too late) the lateness bound. Default 0.001. */
  readonly edgeFraction?: number;
  /** Bad records (undecodable, unknown type, missing or wrong-typed fields). Default 0.005. */
  readonly badFraction?: number;
  /** Out-of-order events within the lateness (the simulator's late events). Default 0.02. */
  readonly reorderFraction?: number;
  /** Share of valid events whose event_time is sent as epoch ms rather than RFC 3339. Default 0.1. */
  readonly epochTimeShare?: number;
}

export interface GeneratedStream {
  readonly records: SentRecord[];
  readonly learners: readonly string[];
  readonly options: StreamOptions;
}

/** Partition of a learner: FNV-1a of its id, mod the mock's partition count (set explicitly on every record). */
export function partitionOf(entityId: string, partitions = MOCK_PARTITIONS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < entityId.length; i++) {
    h ^= entityId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

const JSON_HEADERS = Object.freeze({ [CONTENT_TYPE_HEADER]: ContentTypes.json });

/** A valid event's record value: the contract's JSON form (event_time as RFC 3339, or epoch ms). */
export function jsonValue(event: EngagementEvent, epochTime = false): Buffer {
  const json = engagementEventToJson(event) as unknown as Record<string, unknown>;
  if (epochTime) json.event_time = event.eventTimeMs;
  return Buffer.from(JSON.stringify(json));
}

/**
 * A simulated learning-engagement stream (libs/simulator: realistic learners, in event-time order,
 * some events out of order within the lateness) with faults injected in send order: re-sent records,
 * events too late for their learner, events exactly at the lateness bound, and bad records. JSON with
 * the content-type header, keyed and partitioned by learner. Deterministic for the seed.
 */
export function generateStream(options: StreamOptions): GeneratedStream {
  const rng = new Prng(`fault-stream-${options.seed}`);
  const dupP = options.duplicateFraction ?? 0.01;
  const lateP = options.tooLateFraction ?? 0.004;
  const edgeP = options.edgeFraction ?? 0.001;
  const badP = options.badFraction ?? 0.005;
  const epochP = options.epochTimeShare ?? 0.1;
  const lateness = options.allowedLatenessMs;
  const sim = createSimulation({
    seed: options.seed,
    learners: options.learners,
    days: options.days,
    lateFraction: options.reorderFraction ?? 0.02,
    maxLatenessMs: Math.floor(lateness * 0.8),
  });

  const records: SentRecord[] = [];
  const resends = new Map<number, SentRecord[]>();
  const newest = new Map<string, number>();
  const push = (
    r: Omit<SentRecord, 'seq' | 'offset' | 'partition' | 'headers'> & { headers?: Record<string, string> },
  ) => {
    const record: SentRecord = {
      ...r,
      seq: records.length,
      partition: partitionOf(r.key),
      headers: r.headers ?? JSON_HEADERS,
      offset: -1,
    };
    records.push(record);
    if (rng.bernoulli(dupP)) {
      // Soon (often the same or the next batch) or long after (another batch, another process).
      const delay = rng.bernoulli(0.5) ? rng.int(1, 300) : rng.int(1000, 40_000);
      const at = records.length + delay;
      const list = resends.get(at) ?? [];
      list.push(record);
      resends.set(at, list);
    }
    flush();
  };
  let flushedUpTo = 0;
  // Re-sends due at each position up to the end (re-sends move the end, and may make others due).
  const flush = () => {
    while (flushedUpTo < records.length) {
      flushedUpTo++;
      const due = resends.get(flushedUpTo);
      if (!due) continue;
      resends.delete(flushedUpTo);
      for (const original of due) {
        records.push({
          ...original,
          seq: records.length,
          note: original.note === 'event' ? 'resend' : original.note,
          ...(original.event ? { event: { ...original.event } } : {}),
          offset: -1,
        });
      }
    }
  };
  const valid = (event: EngagementEvent, note: RecordNote) => {
    newest.set(event.entityId, Math.max(newest.get(event.entityId) ?? -Infinity, event.eventTimeMs));
    push({ kind: 'valid', note, key: event.entityId, value: jsonValue(event, rng.bernoulli(epochP)), event });
  };

  for (const e of sim) {
    valid(e, 'event');
    const w = newest.get(e.entityId)!;
    if (rng.bernoulli(lateP)) {
      const t = w - lateness - 1 - rng.int(0, 2 * 86_400_000);
      if (t > 0) valid({ ...e, eventId: `${e.eventId}-late`, eventTimeMs: t }, 'too_late');
    }
    if (rng.bernoulli(edgeP)) {
      valid({ ...e, eventId: `${e.eventId}-edge0`, eventTimeMs: w - lateness }, 'edge_on_time');
      valid({ ...e, eventId: `${e.eventId}-edge1`, eventTimeMs: w - lateness - 1 }, 'edge_late');
    }
    if (rng.bernoulli(badP)) push(badRecord(e, rng));
  }
  // What was due after the end goes at the end, in order.
  for (const at of [...resends.keys()].sort((a, b) => a - b)) {
    for (const original of resends.get(at)!) {
      records.push({
        ...original,
        seq: records.length,
        note: original.note === 'event' ? 'resend' : original.note,
        ...(original.event ? { event: { ...original.event } } : {}),
        offset: -1,
      });
    }
  }
  return { records, learners: sim.learners.map((l) => l.entityId), options };
}

function badRecord(e: EngagementEvent, rng: Prng): Omit<SentRecord, 'seq' | 'offset' | 'partition' | 'headers'> {
  const kinds = Object.keys(BAD_KINDS) as BadKind[];
  const kind = kinds[rng.int(0, kinds.length - 1)];
  const json = engagementEventToJson({ ...e, eventId: `${e.eventId}-bad` }) as unknown as Record<string, unknown>;
  let value: Buffer;
  switch (kind) {
    case 'truncated_json': {
      const text = JSON.stringify(json);
      value = Buffer.from(text.slice(0, rng.int(1, text.length - 2)));
      break;
    }
    case 'invalid_utf8':
      // Starts like JSON, then bytes that are not UTF-8 (no NUL, tab or newline: kcat can carry it).
      value = Buffer.concat([
        Buffer.from('{"event_id":"'),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xa0, 0xa1]),
        Buffer.from('"}'),
      ]);
      break;
    case 'unknown_event_type':
      json.event_type = 'lesson_skipped';
      value = Buffer.from(JSON.stringify(json));
      break;
    case 'missing_entity_id':
      delete json.entity_id;
      value = Buffer.from(JSON.stringify(json));
      break;
    case 'missing_event_time':
      delete json.event_time;
      value = Buffer.from(JSON.stringify(json));
      break;
    case 'missing_attribute':
      json.event_type = 'assessment_answered';
      json.content_id = json.content_id ?? 'q-1';
      json.attributes = { time_taken_seconds: 12 };
      value = Buffer.from(JSON.stringify(json));
      break;
    case 'wrong_type_attribute':
      json.event_type = 'assessment_answered';
      json.attributes = { is_correct: true, time_taken_seconds: '12' };
      value = Buffer.from(JSON.stringify(json));
      break;
  }
  return { kind: 'bad', note: 'bad', key: e.entityId, value, bad: { kind, ...BAD_KINDS[kind] } };
}

export interface ProducerOptions {
  /** Records per send. Default 2000. */
  readonly chunkSize?: number;
  /** At most this many records produced and not yet committed by the service, per partition. Default 8000. */
  readonly maxAheadPerPartition?: number;
  /** Share of chunks sent by kcat (JSON lines) instead of kafkajs. Default 0.15. */
  readonly kcatShare?: number;
  readonly seed?: string;
  /**
   * Records per second at most (the stream then lasts records/rate seconds: a steady flow through a
   * fault, rather than a burst before it). Default: as fast as the broker and the pacing allow.
   */
  readonly ratePerSecond?: number;
  /** How long to wait for the service to make room before giving up. Default 180 s. */
  readonly stallTimeoutMs?: number;
}

/**
 * Produces records to the events topic in order, with explicit partitions, as fast as the broker takes
 * them but at most `maxAheadPerPartition` ahead of the service group's committed offsets (the mock
 * keeps only 5 MiB per partition). Most chunks go through kafkajs (sendBatch, acks -1), some through
 * kcat; either way each record's offset is known (and checked) once acknowledged.
 */
export class StreamProducer {
  private producer: Producer | null = null;
  private readonly next = new Array<number>(MOCK_PARTITIONS).fill(0);
  private readonly rng: Prng;
  /** Records acknowledged so far. */
  sent = 0;
  kcatRecords = 0;

  constructor(
    private readonly h: FaultHarness,
    private readonly options: ProducerOptions = {},
  ) {
    this.rng = new Prng(`producer-${options.seed ?? '1'}`);
  }

  async connect(): Promise<void> {
    this.producer = this.h.kafka.producer({
      idempotent: false,
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    const ends = await endOffsets(this.h.admin, this.h.topics.events);
    ends.forEach((end, p) => (this.next[p] = end));
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  /** Produces `records` in order (resolves when all are acknowledged). */
  async produce(records: readonly SentRecord[], hooks: { onChunk?: (sent: number) => void } = {}): Promise<void> {
    const chunkSize = this.options.chunkSize ?? 2000;
    const started = Date.now();
    for (let from = 0; from < records.length; from += chunkSize) {
      const chunk = records.slice(from, from + chunkSize);
      const rate = this.options.ratePerSecond;
      // Rate control: a chunk leaves no earlier than its place in a steady flow.
      if (rate !== undefined) await sleepUntil(started + (from / rate) * 1000);
      await this.pace(chunk);
      if (this.rng.bernoulli(this.options.kcatShare ?? 0.15)) await this.sendKcat(chunk);
      else await this.sendKafkajs(chunk);
      this.sent += chunk.length;
      hooks.onChunk?.(this.sent);
    }
  }

  /** The end offset of each partition as this producer knows it (what it sent, plus what was there). */
  get endOffsets(): readonly number[] {
    return this.next;
  }

  private async pace(chunk: readonly SentRecord[]): Promise<void> {
    const max = this.options.maxAheadPerPartition ?? 8000;
    const adding = new Array<number>(MOCK_PARTITIONS).fill(0);
    for (const r of chunk) adding[r.partition]++;
    const fits = (committed: number[]) => committed.every((c, p) => this.next[p] + adding[p] - c <= max);
    await waitFor(async () => fits(await this.h.committedOffsets()), {
      timeoutMs: this.options.stallTimeoutMs ?? 180_000,
      intervalMs: 100,
      message: `room for ${chunk.length} more records within ${max} per partition of the service's committed offsets`,
    });
  }

  private async sendKafkajs(chunk: readonly SentRecord[]): Promise<void> {
    if (!this.producer) throw new Error('connect() first');
    const results = await this.producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: this.h.topics.events,
          messages: chunk.map((r) => ({
            key: r.key,
            value: r.value,
            headers: { ...r.headers },
            partition: r.partition,
          })),
        },
      ],
    });
    const base = new Map<number, number>();
    for (const m of results) base.set(m.partition, Number(m.baseOffset ?? m.offset));
    const at = new Map<number, number>();
    for (const r of chunk) {
      const k = at.get(r.partition) ?? 0;
      at.set(r.partition, k + 1);
      r.offset = base.get(r.partition)! + k;
      r.via = 'kafkajs';
    }
    for (const [p, n] of at) {
      if (base.get(p) !== this.next[p])
        throw new Error(
          `partition ${p}: produced at offset ${base.get(p)}, expected ${this.next[p]} (a retried or foreign produce?)`,
        );
      this.next[p] += n;
    }
  }

  private async sendKcat(chunk: readonly SentRecord[]): Promise<void> {
    const byPartition = new Map<number, SentRecord[]>();
    for (const r of chunk) {
      if (
        r.headers[CONTENT_TYPE_HEADER] !== ContentTypes.json ||
        Object.keys(r.headers).length !== 1 ||
        r.value.includes(0x0a) ||
        r.value.includes(0x09) ||
        r.key.includes('\t')
      ) {
        // kcat sends one header set for every line and splits on newline and tab: not for this chunk.
        return this.sendKafkajs(chunk);
      }
      const list = byPartition.get(r.partition) ?? [];
      list.push(r);
      byPartition.set(r.partition, list);
    }
    const before = await endOffsets(this.h.admin, this.h.topics.events);
    before.forEach((end, p) => {
      if (end !== this.next[p])
        throw new Error(
          `partition ${p} ends at ${end} before a kcat send, expected ${this.next[p]} (a foreign producer?)`,
        );
    });
    await Promise.all([...byPartition].map(([p, list]) => kcatProduce(this.h.topics.events, p, list)));
    const after = await endOffsets(this.h.admin, this.h.topics.events);
    for (const [p, list] of byPartition) {
      if (after[p] !== before[p] + list.length)
        throw new Error(`partition ${p}: kcat added ${after[p] - before[p]} records, expected ${list.length}`);
      list.forEach((r, i) => {
        r.offset = before[p] + i;
        r.via = 'kcat';
      });
      this.next[p] += list.length;
      this.kcatRecords += list.length;
    }
  }
}

function sleepUntil(atMs: number): Promise<void> {
  const ms = atMs - Date.now();
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** kcat -P: one `key<TAB>value` line per record, all to one partition, acks=all; resolves when kcat exits 0. */
function kcatProduce(topic: string, partition: number, records: readonly SentRecord[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'kcat',
      [
        '-P',
        '-b',
        kafkaTestBrokers().join(','),
        '-t',
        topic,
        '-p',
        String(partition),
        '-K',
        '\\t',
        '-H',
        `${CONTENT_TYPE_HEADER}=${ContentTypes.json}`,
        '-X',
        'acks=all',
        '-X',
        'linger.ms=5',
        '-X',
        'max.in.flight.requests.per.connection=1',
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}: ${stderr}`))));
    const lines = records.map((r) => Buffer.concat([Buffer.from(`${r.key}\t`), r.value, Buffer.from('\n')]));
    child.stdin.end(Buffer.concat(lines));
  });
}
