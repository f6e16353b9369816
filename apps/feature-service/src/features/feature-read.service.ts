import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  canEvaluateAt,
  entityHistories,
  evaluateOffline,
  stateIsCurrent,
  type EntityState,
  type FeatureRegistry,
  type FeatureValues,
  type OnlineStore,
  type StateCache,
  type StoredState,
  type ViewValues,
} from '@pulse/features';
import type { EngagementEvent } from '@pulse/contracts';
import { ValidationError } from '@pulse/core';
import type { EventLogRepository } from '@pulse/storage';
import type { FsMetrics } from '../app/feature-service.metrics';
import { EVENT_LOG, FEATURE_REGISTRY, FEATURE_STATE_CACHE, FS_CONFIG, FS_METRICS, ONLINE_STORE } from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { EvaluatedViews, type EncodingMemo, type ViewColumns } from './evaluated-views';

export type ReadPath = 'online' | 'offline';

// Entities per version probe of a batch read: small enough that the first answers come back early,
// large enough that a round trip's fixed cost stays a small part of it.
const VERSION_CHUNK = 250;

export interface EntityFeatures {
  readonly entityId: string;
  /** The as-of time, ISO-8601. */
  readonly at: string;
  /** online: evaluated from the online state; offline: replayed from the event log up to `at`. */
  readonly path: ReadPath;
  /**
   * Newest event time the answer covers (ISO), null without events: online, the state's; offline, the
   * newest logged event at or before `at` (a later one is not part of the answer).
   */
  readonly watermark: string | null;
  readonly views: FeatureValues;
}

/**
 * The answer of readColumns, entity by entity in the order asked, as a few flat arrays (no object per
 * entity: a batch of 1000 makes a handful of allocations here, not thousands).
 */
export interface ColumnarRead {
  readonly atMs: number;
  /** The requested views, in answer order. */
  readonly views: readonly {
    readonly name: string;
    readonly features: readonly string[];
    readonly record: <T>(values: readonly T[]) => Record<string, T>;
  }[];
  readonly entityIds: readonly string[];
  /** Per entity: 1 when answered from the online state, 0 when replayed from the event log. */
  readonly online: Uint8Array;
  /** Per entity: the newest event time its answer covers (see EntityFeatures.watermark), NaN without events. */
  readonly watermarks: Float64Array;
  /** Entity i's j-th requested view: `columns[i * views.length + j]`. */
  readonly columns: readonly ViewColumns[];
  /** Per online entity: where its answer's encoding may be kept while its state stays the same. */
  readonly memos: readonly (EncodingMemo | undefined)[];
}

/** The arrays of an answer handed back (see recycle). */
interface Spare {
  readonly columns: ViewColumns[];
  readonly memos: (EncodingMemo | undefined)[];
}

// Answers' arrays kept for reuse: as many as batch requests are usually in flight at once.
const MAX_SPARES = 2;

/** ColumnarRead while it is filled in. */
interface Answer {
  readonly width: number;
  readonly online: Uint8Array;
  readonly watermarks: Float64Array;
  readonly columns: ViewColumns[];
  readonly memos: (EncodingMemo | undefined)[];
  /** Entities to replay from the log. */
  readonly offline: number[];
}

/**
 * Answers feature reads as of a time. The online state answers any time at or after its watermark;
 * an earlier time, an entity whose state is gone (TTL), or one whose state was built under other view
 * definitions (not yet rebuilt by ingest) is answered by replaying the event log through the same
 * code (evaluateOffline), never by a wrong online read.
 *
 * Fast path: the store is asked only for the entities' versions (a few bytes each); an entity whose
 * views were evaluated at that version in the same 5-minute epoch is answered from EvaluatedViews, one
 * whose decoded state is cached at that version (the StateCache ingest shares) is evaluated from it, and
 * only the rest are fetched and decoded (and offered to the cache). Every answer is what evaluate()
 * gives on the state stored at the version read.
 */
@Injectable()
export class FeatureReadService {
  private readonly evaluated: EvaluatedViews;
  private readonly spares: Spare[] = [];

  constructor(
    @Inject(ONLINE_STORE) private readonly store: OnlineStore,
    @Inject(EVENT_LOG) private readonly eventLog: EventLogRepository,
    @Inject(FEATURE_REGISTRY) private readonly registry: FeatureRegistry,
    @Inject(FS_METRICS) private readonly metrics: FsMetrics,
    @Optional() @Inject(FEATURE_STATE_CACHE) private readonly states?: StateCache,
    @Optional() @Inject(FS_CONFIG) config?: FeatureServiceConfig,
  ) {
    this.evaluated = new EvaluatedViews(registry, { maxEntries: states ? (config?.stateCacheEntries ?? 20_000) : 0 });
  }

  registryViews() {
    return this.registry.views;
  }

  /** The requested view names, all known (undefined: all views); `field(i)` names the i-th in an error. */
  viewNames(requested: readonly string[] | undefined, field: (i: number) => string): readonly string[] | undefined {
    if (!requested || requested.length === 0) return undefined;
    requested.forEach((name, i) => {
      if (!this.registry.view(name)) {
        throw new ValidationError(
          `unknown feature view ${JSON.stringify(name.slice(0, 64))} (known: ${this.registry.views.map((v) => v.name).join(', ')})`,
          { field: field(i) },
        );
      }
    });
    return requested;
  }

  /** The entities' features as of atMs, keyed by view and feature name (the single-entity answer). */
  async read(entityIds: readonly string[], atMs: number, views?: readonly string[]): Promise<EntityFeatures[]> {
    const r = await this.readColumns(entityIds, atMs, views);
    const at = new Date(atMs).toISOString();
    const width = r.views.length;
    return r.entityIds.map((entityId, i) => {
      const out: FeatureValues = {};
      for (let j = 0; j < width; j++) out[r.views[j].name] = keyed(r.columns[i * width + j], r.views[j].record, atMs);
      const w = r.watermarks[i];
      return {
        entityId,
        at,
        path: r.online[i] === 1 ? 'online' : 'offline',
        watermark: Number.isNaN(w) ? null : new Date(w).toISOString(),
        views: out,
      };
    });
  }

  /**
   * The entities' features as of atMs, positional per view (the batch answer; see batch-response.ts).
   * `onReady(r, end)`, when given, is called as rows become final: rows [0, end) will not change.
   * The versions of a large batch are asked for in chunks, all sent at once, and each chunk is answered
   * (and may be encoded by onReady) while the store still works on the next ones.
   */
  async readColumns(
    entityIds: readonly string[],
    atMs: number,
    views?: readonly string[],
    onReady?: (r: ColumnarRead, end: number) => void,
  ): Promise<ColumnarRead> {
    const positions = this.evaluated.positions(views);
    const n = entityIds.length;
    const width = positions.length;
    const spare = this.spareFor(n, width);
    const a: Answer = {
      width,
      online: new Uint8Array(n),
      watermarks: new Float64Array(n),
      columns: spare?.columns ?? new Array<ViewColumns>(n * width),
      memos: spare?.memos ?? new Array<EncodingMemo | undefined>(n),
      offline: [],
    };
    const r: ColumnarRead = {
      atMs,
      views: positions.map((p) => this.evaluated.shape(p)),
      entityIds,
      online: a.online,
      watermarks: a.watermarks,
      columns: a.columns,
      memos: a.memos,
    };
    if (this.states !== undefined) {
      const chunks = Math.ceil(n / VERSION_CHUNK);
      const probes: Promise<Map<string, number>>[] = [];
      for (let c = 0; c < chunks; c++)
        probes.push(
          this.store.getVersions(
            chunks === 1 ? entityIds : entityIds.slice(c * VERSION_CHUNK, (c + 1) * VERSION_CHUNK),
          ),
        );
      // Each is awaited in turn below; a failure of a later one must not go unhandled meanwhile.
      for (const probe of probes) probe.catch(() => undefined);
      for (let c = 0; c < chunks; c++) {
        const from = c * VERSION_CHUNK;
        const to = Math.min(n, from + VERSION_CHUNK);
        await this.answerChunk(a, entityIds, from, to, await probes[c], atMs, positions);
        if (onReady !== undefined) onReady(r, firstOffline(a, to));
      }
    } else {
      const stored = await this.store.getStates(entityIds);
      for (let i = 0; i < n; i++) this.answerStored(a, i, entityIds[i], stored, atMs, positions);
    }
    const offline = a.offline;
    if (offline.length < n) this.metrics.featureReads.inc({ path: 'online' }, n - offline.length);
    if (offline.length > 0) {
      this.metrics.featureReads.inc({ path: 'offline' }, offline.length);
      await this.replay(a, entityIds, atMs, positions, views);
    }
    return r;
  }

  /**
   * Answers the entities waiting for the offline path by replaying their logged events up to atMs: one
   * stream (paged, in key order) for all of them, so a batch answered offline
   * (an earlier time, expired or stale states) costs a few round trips rather than one per entity, and
   * holds one entity's history at a time.
   */
  private async replay(
    a: Answer,
    entityIds: readonly string[],
    atMs: number,
    positions: readonly number[],
    views: readonly string[] | undefined,
  ): Promise<void> {
    const at = new Map<string, number[]>();
    for (const i of a.offline) {
      const list = at.get(entityIds[i]);
      if (list) list.push(i);
      else at.set(entityIds[i], [i]);
    }
    const answer = (entityId: string, events: readonly EngagementEvent[]) => {
      const waiting = at.get(entityId);
      // Not one asked for: an id that is not well-formed UTF-16 comes back from Postgres otherwise
      // (a lone surrogate as U+FFFD); the one asked for is answered with no events below.
      if (waiting === undefined) return;
      const values = evaluateOffline(events, atMs, this.registry, views);
      // As of atMs, not the state's: the events replayed are those up to atMs.
      const watermark = newestTime(events);
      for (const i of waiting) {
        this.evaluated.store(entityId, undefined, watermark, atMs, positions, values, a.columns, i * a.width);
        a.online[i] = 0;
        a.watermarks[i] = watermark ?? NaN;
        a.memos[i] = undefined;
      }
      at.delete(entityId);
    };
    for await (const { entityId, events } of entityHistories(
      this.eventLog.streamForEntities({ entityIds: [...at.keys()], untilMs: atMs }),
    ))
      answer(entityId, events);
    // Entities without a logged event up to atMs.
    for (const entityId of [...at.keys()]) answer(entityId, []);
  }

  /**
   * Hands back an answer of readColumns that nothing reads any more: its two large arrays (48 kB for
   * 1000 entities and 5 views, a fifth of what a batch request allocates) serve the next batch of the
   * same size, so young collections come less often. Never call it twice for one answer, nor keep
   * using the answer after.
   */
  recycle(r: ColumnarRead): void {
    const columns = r.columns as ViewColumns[];
    if (this.spares.some((s) => s.columns === columns)) return;
    // the latest kept: the next batch is most likely of the last one's size
    if (this.spares.length === MAX_SPARES) this.spares.shift();
    this.spares.push({ columns, memos: r.memos as (EncodingMemo | undefined)[] });
  }

  /** Recycled arrays for n entities and `width` views (every element is written again before it is read). */
  private spareFor(n: number, width: number): Spare | undefined {
    const spares = this.spares;
    for (let k = 0; k < spares.length; k++) {
      const spare = spares[k];
      if (spare.memos.length !== n || spare.columns.length !== n * width) continue;
      spares[k] = spares[spares.length - 1];
      spares.pop();
      return spare;
    }
    return undefined;
  }

  /** Entities [from, to) given their stored versions: cached evaluations, cached states, else fetched. */
  private async answerChunk(
    a: Answer,
    entityIds: readonly string[],
    from: number,
    to: number,
    versions: Map<string, number>,
    atMs: number,
    positions: readonly number[],
  ): Promise<void> {
    let fetch: number[] | undefined;
    // One clock read per chunk: per entity, each was a boxed number to collect.
    const now = this.evaluated.clock();
    for (let i = from; i < to; i++) {
      const id = entityIds[i];
      const version = versions.get(id);
      if (version === undefined) {
        a.offline.push(i);
        continue;
      }
      const hit = this.evaluated.lookup(id, version, atMs, positions, a.columns, i * a.width, now);
      if (hit !== undefined) {
        if (hit.w === null || atMs >= hit.w) setOnline(a, i, hit.w, hit);
        else a.offline.push(i);
        continue;
      }
      const state = this.states!.peek(id, version);
      if (state !== undefined) this.online(a, i, id, version, state, atMs, positions);
      else (fetch ??= []).push(i);
    }
    if (fetch === undefined) return;
    const stored = await this.store.getStates(fetch.map((i) => entityIds[i]));
    for (const i of fetch) this.answerStored(a, i, entityIds[i], stored, atMs, positions);
  }

  private answerStored(
    a: Answer,
    i: number,
    id: string,
    stored: Map<string, StoredState>,
    atMs: number,
    positions: readonly number[],
  ): void {
    const s = stored.get(id);
    if (s === undefined) {
      a.offline.push(i);
      return;
    }
    this.states?.offer(id, s.state, s.version);
    this.online(a, i, id, s.version, s.state, atMs, positions);
  }

  // Synchronous from peek/fetch to here: a batch folding the cached state can only take it when we yield.
  private online(
    a: Answer,
    i: number,
    id: string,
    version: number,
    state: EntityState,
    atMs: number,
    positions: readonly number[],
  ): void {
    // A state built under other view definitions is answered by the replay until ingest rebuilds it.
    if (!canEvaluateAt(state, atMs) || !stateIsCurrent(state, this.registry)) {
      a.offline.push(i);
      return;
    }
    const memo = this.evaluated.evaluate(id, version, state, atMs, positions, a.columns, i * a.width);
    setOnline(a, i, state.w, memo);
  }
}

/** The newest event time of a replay, null without events (a loop: a spread of a long history overflows the stack). */
function newestTime(events: readonly EngagementEvent[]): number | null {
  let newest: number | null = null;
  for (const e of events) if (newest === null || e.eventTimeMs > newest) newest = e.eventTimeMs;
  return newest;
}

/** The first entity waiting for the offline path, or `end` when none before it does. */
function firstOffline(a: Answer, end: number): number {
  let first = end;
  for (const i of a.offline) if (i < first) first = i;
  return first;
}

function setOnline(a: Answer, i: number, watermark: number | null, memo: EncodingMemo | undefined): void {
  a.online[i] = 1;
  a.watermarks[i] = watermark ?? NaN;
  a.memos[i] = memo;
}

/** A view's values as of `atMs` keyed by feature name (columns evaluated in the same epoch, see ViewColumns). */
function keyed(c: ViewColumns, record: ColumnarRead['views'][number]['record'], atMs: number): ViewValues {
  const d = atMs - c.asOf;
  if (d === 0) return { version: c.version, values: record(c.values), freshness: record(c.freshness) };
  const values = c.values.slice();
  for (const i of c.shifted) values[i] = values[i] === null ? null : (values[i] as number) + d;
  const freshness = c.freshness.map((f) => (f === null ? null : f + d));
  return { version: c.version, values: record(values), freshness: record(freshness) };
}
