import type { DeadLetterRecord, EngagementEvent } from '@pulse/contracts';
import {
  applyEvents,
  emptyState,
  evaluate,
  replayEvents,
  type EntityState,
  type FeatureRegistry,
  type FeatureValues,
} from '@pulse/features';
import type { DlqEntry } from './fault-harness';
import type { SentRecord } from './stream';

/** A record the DLQ must hold once: its reason and field (or one of the alternatives a bad record allows). */
export interface ExpectedDeadLetter {
  readonly record: SentRecord;
  readonly reasons: readonly string[];
  readonly fields?: readonly string[];
}

/** What the service must end with, computed from what was sent with the product's reference fold. */
export interface Truth {
  /** What was sent, in send order. */
  readonly records: readonly SentRecord[];
  /** The event log: every applied event, by event id. */
  readonly applied: ReadonlyMap<string, EngagementEvent>;
  /** Records that must be dead-lettered, once per send: bad ones and events too late. */
  readonly dead: readonly ExpectedDeadLetter[];
  /** Each learner's state after its valid events in send order. */
  readonly states: ReadonlyMap<string, EntityState>;
  readonly counts: {
    readonly records: number;
    readonly valid: number;
    readonly applied: number;
    readonly duplicates: number;
    readonly tooLate: number;
    readonly bad: number;
    readonly learners: number;
  };
}

/**
 * Per learner, its valid records' events folded in send order by applyEvents (the product's fold,
 * with the service's registry): the events it applies are the log, those it calls too late go to the
 * DLQ (each send), repeats of an applied id are duplicates (nowhere). Partition order is send order
 * for a learner (one partition each), and the fold's verdicts do not depend on how the stream is cut
 * into batches, so this is what the service must end with however often it is killed.
 */
export function computeTruth(records: readonly SentRecord[], registry: FeatureRegistry): Truth {
  const byLearner = new Map<string, SentRecord[]>();
  const dead: ExpectedDeadLetter[] = [];
  let bad = 0;
  for (const r of records) {
    if (r.kind === 'bad') {
      bad++;
      const b = r.bad!;
      dead.push({
        record: r,
        reasons: [b.reason, ...(b.alsoReasons ?? [])],
        ...(b.field === undefined ? {} : { fields: [b.field, ...(b.alsoFields ?? [])] }),
      });
      continue;
    }
    const list = byLearner.get(r.event!.entityId) ?? [];
    list.push(r);
    byLearner.set(r.event!.entityId, list);
  }
  const applied = new Map<string, EngagementEvent>();
  const states = new Map<string, EntityState>();
  let duplicates = 0;
  let tooLate = 0;
  for (const [entityId, list] of byLearner) {
    const result = applyEvents(
      emptyState(),
      list.map((r) => r.event!),
      registry,
    );
    const late = new Set(result.tooLate);
    const seen = new Set<string>();
    for (const r of list) {
      const e = r.event!;
      if (late.has(e)) {
        tooLate++;
        dead.push({ record: r, reasons: ['too_late'], fields: ['event_time'] });
      } else if (seen.has(e.eventId)) {
        duplicates++;
      } else {
        seen.add(e.eventId);
        applied.set(e.eventId, e);
      }
    }
    if (result.applied !== seen.size)
      throw new Error(`truth: ${entityId}: the fold applied ${result.applied}, the split says ${seen.size}`);
    states.set(entityId, result.state);
  }
  dead.sort((a, b) => a.record.seq - b.record.seq);
  return {
    records,
    applied,
    dead,
    states,
    counts: {
      records: records.length,
      valid: records.length - bad,
      applied: applied.size,
      duplicates,
      tooLate,
      bad,
      learners: byLearner.size,
    },
  };
}

/**
 * The same split as computeTruth by the contract's rules written out plainly (a repeat of an applied id
 * is a duplicate; an event older than the learner's newest applied event minus the lateness is too
 * late; the rest is applied), as a check that the truth uses the product's fold as meant.
 */
export function plainSplit(
  records: readonly SentRecord[],
  allowedLatenessMs: number,
): { applied: Set<string>; tooLate: Set<number>; duplicates: number } {
  const newest = new Map<string, number>();
  const applied = new Set<string>();
  const tooLate = new Set<number>();
  let duplicates = 0;
  for (const r of records) {
    if (r.kind !== 'valid') continue;
    const e = r.event!;
    const w = newest.get(e.entityId);
    if (applied.has(e.eventId)) duplicates++;
    else if (w !== undefined && e.eventTimeMs < w - allowedLatenessMs) tooLate.add(r.seq);
    else {
      applied.add(e.eventId);
      newest.set(e.entityId, Math.max(w ?? -Infinity, e.eventTimeMs));
    }
  }
  return { applied, tooLate, duplicates };
}

/** JSON with object keys sorted: equal for equal events whatever order their fields were built in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/** A finding: counts that must be zero, counts for context, and a few examples of each non-zero one. */
export interface Findings {
  readonly what: string;
  readonly faults: Record<string, number>;
  readonly context: Record<string, number>;
  readonly samples: Record<string, unknown[]>;
}

/** Throws (a readable message with counts and examples) unless every fault count is zero. */
export function expectNoFaults(f: Findings): void {
  const failing = Object.entries(f.faults).filter(([, n]) => n !== 0);
  if (failing.length === 0) return;
  const examples = Object.entries(f.samples)
    .filter(([, list]) => list.length > 0)
    .map(([k, list]) => `  ${k}: ${list.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n    ')}`)
    .join('\n');
  throw new Error(
    `${f.what}: ${failing.map(([k, n]) => `${k}=${n}`).join(', ')}\n  (all: ${JSON.stringify(f.faults)}; context: ${JSON.stringify(f.context)})\n${examples}`,
  );
}

function sample<T>(list: T[], x: T, max = 5): void {
  if (list.length < max) list.push(x);
}

/** (a) The event log against the truth: nothing missing, nothing extra, no row twice, every row as sent. */
export function compareLog(truth: Truth, log: readonly EngagementEvent[]): Findings {
  const samples: Record<string, unknown[]> = { missing: [], extra: [], duplicateRows: [], altered: [] };
  const rowsById = new Map<string, EngagementEvent[]>();
  for (const e of log) {
    const list = rowsById.get(e.eventId) ?? [];
    list.push(e);
    rowsById.set(e.eventId, list);
  }
  let missing = 0;
  let extra = 0;
  let duplicateRows = 0;
  let altered = 0;
  for (const [id, expected] of truth.applied) {
    const rows = rowsById.get(id);
    if (!rows) {
      missing++;
      if (samples.missing.length < 5) {
        const sent = truth.records.find((r) => r.event?.eventId === id);
        sample(
          samples.missing,
          `${expected.entityId} ${id} @${expected.eventTimeMs} (sent as #${sent?.seq} ${sent?.note} at ${sent?.partition}:${sent?.offset} by ${sent?.via})`,
        );
      }
      continue;
    }
    if (rows.length > 1) {
      duplicateRows += rows.length - 1;
      sample(samples.duplicateRows, `${id} x${rows.length}`);
    }
    const want = canonical(expected);
    if (rows.some((r) => canonical(r) !== want)) {
      altered++;
      sample(samples.altered, { expected, logged: rows });
    }
  }
  for (const [id, rows] of rowsById) {
    if (truth.applied.has(id)) continue;
    extra += rows.length;
    sample(samples.extra, `${rows[0].entityId} ${id} @${rows[0].eventTimeMs}`);
  }
  return {
    what: '(a) event log vs the accepted events',
    faults: { missing, extra, duplicateRows, altered },
    context: { expected: truth.applied.size, rows: log.length },
    samples,
  };
}

/**
 * (c) The DLQ against the truth, matched by source partition and offset: each bad or too-late record
 * there exactly once, with the right reason (and field) and its bytes; nothing else there.
 */
export function compareDlq(truth: Truth, entries: readonly DlqEntry[], sourceTopic: string): Findings {
  const samples: Record<string, unknown[]> = {
    missing: [],
    extraCopies: [],
    unexpected: [],
    wrongReason: [],
    wrongField: [],
    wrongOriginal: [],
    notDeadLetters: [],
    wrongTopic: [],
  };
  const byKey = new Map<string, DeadLetterRecord[]>();
  let notDeadLetters = 0;
  let wrongTopic = 0;
  for (const e of entries) {
    if (!e.record) {
      notDeadLetters++;
      sample(samples.notDeadLetters, `${e.partition}:${e.offset} ${e.error}`);
      continue;
    }
    if (e.record.sourceTopic !== sourceTopic) {
      wrongTopic++;
      sample(samples.wrongTopic, e.record.sourceTopic);
    }
    const key = `${e.record.sourcePartition}:${e.record.sourceOffset}`;
    const list = byKey.get(key) ?? [];
    list.push(e.record);
    byKey.set(key, list);
  }
  const expectedKeys = new Set<string>();
  let missing = 0;
  let extraCopies = 0;
  let wrongReason = 0;
  let wrongField = 0;
  let wrongOriginal = 0;
  const missingByReason: Record<string, number> = {};
  const extraByReason: Record<string, number> = {};
  for (const d of truth.dead) {
    const key = `${d.record.partition}:${d.record.offset}`;
    expectedKeys.add(key);
    const got = byKey.get(key) ?? [];
    const reason = d.reasons[0];
    const describe = () => ({
      seq: d.record.seq,
      note: d.record.note,
      key,
      reasons: d.reasons,
      fields: d.fields,
      got: got.map((g) => `${g.reason}/${g.field ?? ''}`),
    });
    if (got.length === 0) {
      missing++;
      missingByReason[reason] = (missingByReason[reason] ?? 0) + 1;
      sample(samples.missing, describe());
      continue;
    }
    if (got.length > 1) {
      extraCopies += got.length - 1;
      extraByReason[reason] = (extraByReason[reason] ?? 0) + got.length - 1;
      sample(samples.extraCopies, describe());
    }
    if (got.some((g) => !d.reasons.includes(g.reason))) {
      wrongReason++;
      sample(samples.wrongReason, describe());
    }
    if (d.fields !== undefined && got.some((g) => !d.fields!.includes(g.field ?? ''))) {
      wrongField++;
      sample(samples.wrongField, describe());
    }
    if (got.some((g) => !Buffer.from(g.original).equals(d.record.value))) {
      wrongOriginal++;
      sample(samples.wrongOriginal, describe());
    }
  }
  let unexpected = 0;
  const unexpectedByReason: Record<string, number> = {};
  for (const [key, list] of byKey) {
    if (expectedKeys.has(key)) continue;
    unexpected += list.length;
    for (const g of list) unexpectedByReason[g.reason] = (unexpectedByReason[g.reason] ?? 0) + 1;
    if (samples.unexpected.length < 5) {
      const sent = truth.records.find((r) => `${r.partition}:${r.offset}` === key);
      const what = sent
        ? {
            seq: sent.seq,
            note: sent.note,
            via: sent.via,
            entity: sent.event?.entityId ?? sent.key,
            eventId: sent.event?.eventId,
            time: sent.event?.eventTimeMs,
          }
        : 'not a record this test sent';
      sample(samples.unexpected, { key, reasons: list.map((g) => g.reason), sent: what });
    }
  }
  const context: Record<string, number> = { expected: truth.dead.length, received: entries.length };
  for (const [reason, n] of Object.entries(missingByReason)) context[`missing.${reason}`] = n;
  for (const [reason, n] of Object.entries(extraByReason)) context[`extraCopies.${reason}`] = n;
  for (const [reason, n] of Object.entries(unexpectedByReason)) context[`unexpected.${reason}`] = n;
  return {
    what: '(c) DLQ vs the bad and too-late records (one per send)',
    faults: { missing, extraCopies, unexpected, wrongReason, wrongField, wrongOriginal, notDeadLetters, wrongTopic },
    context,
    samples,
  };
}

/** The HTTP answer of GET /v1/features/{id}?at=… (the parts compared). */
export interface FeatureAnswer {
  readonly status: number;
  readonly path?: string;
  readonly watermark?: string | null;
  readonly views?: unknown;
}

/** Feature values as JSON would carry them (what the HTTP answer is compared with). */
export function asJson(values: FeatureValues): unknown {
  return JSON.parse(JSON.stringify(values));
}

/**
 * (b) Each learner's online state against the truth and against its replay from the log, at its
 * watermark: read over HTTP (must be the online path) and straight from Redis (decoded).
 */
export function compareStates(
  truth: Truth,
  log: readonly EngagementEvent[],
  registry: FeatureRegistry,
  http: ReadonlyMap<string, FeatureAnswer>,
  redis: ReadonlyMap<string, EntityState>,
): Findings {
  const samples: Record<string, unknown[]> = {
    httpNot200: [],
    notOnlinePath: [],
    watermarkWrong: [],
    httpVsTruth: [],
    replayVsTruth: [],
    redisMissing: [],
    redisVsTruth: [],
  };
  const logByLearner = new Map<string, EngagementEvent[]>();
  for (const e of log) {
    const list = logByLearner.get(e.entityId) ?? [];
    list.push(e);
    logByLearner.set(e.entityId, list);
  }
  const faults = {
    httpNot200: 0,
    notOnlinePath: 0,
    watermarkWrong: 0,
    httpVsTruth: 0,
    replayVsTruth: 0,
    redisMissing: 0,
    redisVsTruth: 0,
  };
  for (const [entityId, state] of truth.states) {
    const w = state.w;
    if (w === null) continue;
    const want = canonical(asJson(evaluate(state, w, registry)));
    const replay = replayEvents(logByLearner.get(entityId) ?? [], registry);
    const replayW = replay.w ?? -Infinity;
    if (replayW !== w) {
      faults.replayVsTruth++;
      sample(samples.replayVsTruth, `${entityId}: replay watermark ${replay.w} vs ${w}`);
    } else if (canonical(asJson(evaluate(replay, w, registry))) !== want) {
      faults.replayVsTruth++;
      sample(
        samples.replayVsTruth,
        firstDifference(entityId, asJson(evaluate(replay, w, registry)), asJson(evaluate(state, w, registry))),
      );
    }
    const answer = http.get(entityId);
    if (!answer || answer.status !== 200) {
      faults.httpNot200++;
      sample(samples.httpNot200, `${entityId}: ${answer?.status}`);
    } else {
      if (answer.path !== 'online') {
        faults.notOnlinePath++;
        sample(samples.notOnlinePath, `${entityId}: ${answer.path}`);
      }
      if (answer.watermark !== new Date(w).toISOString()) {
        faults.watermarkWrong++;
        sample(samples.watermarkWrong, `${entityId}: ${answer.watermark} vs ${new Date(w).toISOString()}`);
      }
      if (canonical(answer.views) !== want) {
        faults.httpVsTruth++;
        sample(samples.httpVsTruth, firstDifference(entityId, answer.views, asJson(evaluate(state, w, registry))));
      }
    }
    const stored = redis.get(entityId);
    if (!stored) {
      faults.redisMissing++;
      sample(samples.redisMissing, entityId);
    } else if (stored.w !== w || canonical(asJson(evaluate(stored, w, registry))) !== want) {
      faults.redisVsTruth++;
      sample(
        samples.redisVsTruth,
        stored.w !== w
          ? `${entityId}: watermark ${stored.w} vs ${w}`
          : firstDifference(entityId, asJson(evaluate(stored, w, registry)), asJson(evaluate(state, w, registry))),
      );
    }
  }
  return {
    what: '(b) online states vs the truth and the log replay',
    faults,
    context: { learners: truth.states.size, answers: http.size, redisStates: redis.size },
    samples,
  };
}

/** `entity: view.feature got X, want Y` for the first differing feature (or the whole answer if the shapes differ). */
function firstDifference(entityId: string, got: unknown, want: unknown): string {
  const g = got as Record<string, { values?: Record<string, unknown> }> | undefined;
  const w = want as Record<string, { values?: Record<string, unknown> }>;
  for (const view of Object.keys(w)) {
    const gv = g?.[view]?.values;
    const wv = w[view].values ?? {};
    if (!gv) return `${entityId}: view ${view} missing`;
    for (const feature of Object.keys(wv)) {
      if (canonical(gv[feature]) !== canonical(wv[feature]))
        return `${entityId}: ${view}.${feature} got ${canonical(gv[feature])}, want ${canonical(wv[feature])}`;
    }
  }
  return `${entityId}: ${canonical(got).slice(0, 300)} vs ${canonical(want).slice(0, 300)}`;
}
