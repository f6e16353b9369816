import { ValidationError } from '@pulse/core';
import type { FeatureValues, FeatureView, ViewValues } from '../definition/feature-view.types';
import type { EntityState } from '../engine/entity-state';
import { canEvaluateAt } from '../engine/evaluate';
import { stateIsCurrent, type FeatureRegistry } from '../engine/feature-registry';
import type { OnlineStore, StoredState } from '../store/online-store';
import type { StateCache } from '../store/state-cache';
import { EvaluatedViews } from './evaluated-views.cache';
import { replayOffline, type PendingAnswer } from './offline-replay';
import type {
  AnsweredView,
  ColumnarRead,
  EncodingMemo,
  EntityFeatures,
  EventHistorySource,
  ReadPath,
  ViewColumns,
} from './read-answer.types';

// Entities per version probe of a batch read: small enough that the first answers come back early,
// large enough that a round trip's fixed cost stays a small part of it.
const VERSION_CHUNK = 250;

export interface FeatureReaderOptions {
  /** The online feature state (Redis, or the in-process store). */
  readonly store: OnlineStore;
  /** The event log, read by the offline path (an earlier time, an expired or outdated state). */
  readonly events: EventHistorySource;
  readonly registry: FeatureRegistry;
  /**
   * Decoded states to reuse by version, e.g. the one ingest writes through (foldBatchIntoStore's
   * stateCache). Without it every read fetches whole states and nothing evaluated is kept.
   */
  readonly states?: StateCache;
  /** Entities whose evaluated views are kept (with `states` only); default 20,000. */
  readonly evaluatedEntries?: number;
  /** Told after each read how many entities each path answered (e.g. a metrics counter). */
  readonly onRead?: (path: ReadPath, entities: number) => void;
  /**
   * Told after each read the as-of time and every entity's watermark (newest event time the answer
   * covers; NaN without events): how stale the answers are (e.g. a histogram of as-of − watermark).
   */
  readonly onAnswered?: (atMs: number, watermarks: Float64Array) => void;
}

/** The arrays of an answer handed back (see recycle). */
interface Spare {
  readonly columns: ViewColumns[];
  readonly memos: (EncodingMemo | undefined)[];
}

// Answers' arrays kept for reuse: as many as batch requests are usually in flight at once.
const MAX_SPARES = 2;

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
export class FeatureReader {
  private readonly store: OnlineStore;
  private readonly events: EventHistorySource;
  private readonly registry: FeatureRegistry;
  private readonly states: StateCache | undefined;
  private readonly onRead: FeatureReaderOptions['onRead'];
  private readonly onAnswered: FeatureReaderOptions['onAnswered'];
  private readonly evaluated: EvaluatedViews;
  private readonly spares: Spare[] = [];

  constructor(options: FeatureReaderOptions) {
    this.store = options.store;
    this.events = options.events;
    this.registry = options.registry;
    this.states = options.states;
    this.onRead = options.onRead;
    this.onAnswered = options.onAnswered;
    this.evaluated = new EvaluatedViews(options.registry, {
      maxEntries: options.states ? (options.evaluatedEntries ?? 20_000) : 0,
    });
  }

  /** The views this reader serves, as registered. */
  registryViews(): readonly FeatureView[] {
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
   * The entities' features as of atMs, positional per view (the batch answer; see batch-response.writer.ts).
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
    const a: PendingAnswer = {
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
    if (offline.length < n) this.onRead?.('online', n - offline.length);
    if (offline.length > 0) {
      this.onRead?.('offline', offline.length);
      await replayOffline(a, entityIds, atMs, positions, views, {
        registry: this.registry,
        events: this.events,
        evaluated: this.evaluated,
      });
    }
    this.onAnswered?.(atMs, a.watermarks);
    return r;
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
    a: PendingAnswer,
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
    a: PendingAnswer,
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
    a: PendingAnswer,
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

/** The first entity waiting for the offline path, or `end` when none before it does. */
function firstOffline(a: PendingAnswer, end: number): number {
  let first = end;
  for (const i of a.offline) if (i < first) first = i;
  return first;
}

function setOnline(a: PendingAnswer, i: number, watermark: number | null, memo: EncodingMemo | undefined): void {
  a.online[i] = 1;
  a.watermarks[i] = watermark ?? NaN;
  a.memos[i] = memo;
}

/** A view's values as of `atMs` keyed by feature name (columns evaluated in the same epoch, see ViewColumns). */
function keyed(c: ViewColumns, record: AnsweredView['record'], atMs: number): ViewValues {
  const d = atMs - c.asOf;
  if (d === 0) return { version: c.version, values: record(c.values), freshness: record(c.freshness) };
  const values = c.values.slice();
  for (const i of c.shifted) values[i] = values[i] === null ? null : (values[i] as number) + d;
  const freshness = c.freshness.map((f) => (f === null ? null : f + d));
  return { version: c.version, values: record(values), freshness: record(freshness) };
}
