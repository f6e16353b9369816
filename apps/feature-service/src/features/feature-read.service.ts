import { Inject, Injectable, Optional } from '@nestjs/common';
import { canEvaluateAt, evaluate, evaluateOffline, type EntityState, type FeatureRegistry, type FeatureValues, type OnlineStore, type StateCache, type ViewValues } from '@pulse/features';
import { ValidationError } from '@pulse/core';
import type { EventLogRepository } from '@pulse/storage';
import type { FsMetrics } from '../app/feature-service.metrics';
import { EVENT_LOG, FEATURE_REGISTRY, FEATURE_STATE_CACHE, FS_CONFIG, FS_METRICS, ONLINE_STORE } from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { EvaluatedViews, type EncodingMemo, type ViewColumns } from './evaluated-views';

export type ReadPath = 'online' | 'offline';

export interface EntityFeatures {
  readonly entityId: string;
  /** The as-of time, ISO-8601. */
  readonly at: string;
  /** online: evaluated from the online state; offline: replayed from the event log up to `at`. */
  readonly path: ReadPath;
  /** Newest event time folded into the entity's state (ISO), null for an entity without events. */
  readonly watermark: string | null;
  readonly views: FeatureValues;
}

/** One entity's answer, columnar: `columns[j]` is the j-th requested view's (see readColumns). */
export interface ReadRow {
  readonly entityId: string;
  readonly path: ReadPath;
  readonly watermark: number | null;
  readonly columns: readonly ViewColumns[];
  /** Where an online answer's encoding may be kept while the entity's state stays the same. */
  readonly memo?: EncodingMemo;
}

export interface ColumnarRead {
  readonly atMs: number;
  /** The requested views, in answer order. */
  readonly views: readonly { readonly name: string; readonly features: readonly string[]; readonly record: <T>(values: readonly T[]) => Record<string, T> }[];
  readonly rows: readonly ReadRow[];
}

/**
 * Answers feature reads as of a time. The online state answers any time at or after its watermark;
 * an earlier time, or an entity whose state is gone (TTL), is answered by replaying the event log
 * through the same code (evaluateOffline), never by a wrong online read.
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

  viewNames(requested: readonly string[] | undefined): readonly string[] | undefined {
    if (!requested || requested.length === 0) return undefined;
    for (const name of requested) {
      if (!this.registry.view(name)) {
        throw new ValidationError(`unknown feature view "${name}" (known: ${this.registry.views.map((v) => v.name).join(', ')})`, { field: 'view' });
      }
    }
    return requested;
  }

  /** The entities' features as of atMs, keyed by view and feature name (the single-entity answer). */
  async read(entityIds: readonly string[], atMs: number, views?: readonly string[]): Promise<EntityFeatures[]> {
    const r = await this.readColumns(entityIds, atMs, views);
    const at = new Date(atMs).toISOString();
    return r.rows.map((row) => {
      const out: FeatureValues = {};
      row.columns.forEach((c, j) => (out[r.views[j].name] = keyed(c, r.views[j].record, atMs)));
      return { entityId: row.entityId, at, path: row.path, watermark: iso(row.watermark), views: out };
    });
  }

  /** The entities' features as of atMs, positional per view (the batch answer; see batch-response.ts). */
  async readColumns(entityIds: readonly string[], atMs: number, views?: readonly string[]): Promise<ColumnarRead> {
    const positions = this.evaluated.positions(views);
    const n = entityIds.length;
    const rows = new Array<ReadRow>(n);
    const offline: number[] = [];
    const watermarks = new Map<number, number | null>();
    const fetch: number[] = [];
    const useCache = this.states !== undefined;
    const versions = useCache ? await this.store.getVersions(entityIds) : undefined;
    if (versions) {
      for (let i = 0; i < n; i++) {
        const id = entityIds[i];
        const version = versions.get(id);
        if (version === undefined) {
          offline.push(i);
          continue;
        }
        const columns = new Array<ViewColumns>(positions.length);
        const hit = this.evaluated.lookup(id, version, atMs, positions, columns);
        if (hit !== undefined) {
          if (hit.w === null || atMs >= hit.w) rows[i] = { entityId: id, path: 'online', watermark: hit.w, columns, memo: hit };
          else this.offlineAt(i, hit.w, offline, watermarks);
          continue;
        }
        const state = this.states!.peek(id, version);
        if (state !== undefined) this.online(rows, i, id, version, state, atMs, views, positions, offline, watermarks);
        else fetch.push(i);
      }
    }
    if (!versions || fetch.length > 0) {
      const ids = versions ? fetch.map((i) => entityIds[i]) : entityIds;
      const stored = await this.store.getStates(ids);
      const indexes = versions ? fetch : entityIds.map((_, i) => i);
      for (const i of indexes) {
        const id = entityIds[i];
        const s = stored.get(id);
        if (s === undefined) {
          offline.push(i);
          continue;
        }
        this.states?.offer(id, s.state, s.version);
        this.online(rows, i, id, s.version, s.state, atMs, views, positions, offline, watermarks);
      }
    }
    if (offline.length < n) this.metrics.featureReads.inc({ path: 'online' }, n - offline.length);
    if (offline.length > 0) {
      this.metrics.featureReads.inc({ path: 'offline' }, offline.length);
      offline.sort((a, b) => a - b);
    }
    for (const i of offline) {
      const entityId = entityIds[i];
      const events = await this.eventLog.eventsForEntity(entityId, atMs);
      let watermark = watermarks.get(i);
      if (watermark === undefined) watermark = events.length > 0 ? Math.max(...events.map((e) => e.eventTimeMs)) : null;
      const columns = new Array<ViewColumns>(positions.length);
      this.evaluated.store(entityId, undefined, watermark, atMs, positions, evaluateOffline(events, atMs, this.registry, views), columns);
      rows[i] = { entityId, path: 'offline', watermark, columns };
    }
    return { atMs, views: positions.map((p) => this.evaluated.shape(p)), rows };
  }

  // Synchronous from peek/fetch to here: a batch folding the cached state can only take it when we yield.
  private online(rows: ReadRow[], i: number, id: string, version: number, state: EntityState, atMs: number, views: readonly string[] | undefined, positions: readonly number[], offline: number[], watermarks: Map<number, number | null>): void {
    if (!canEvaluateAt(state, atMs)) {
      this.offlineAt(i, state.w, offline, watermarks);
      return;
    }
    const columns = new Array<ViewColumns>(positions.length);
    const memo = this.evaluated.store(id, version, state.w, atMs, positions, evaluate(state, atMs, this.registry, views), columns);
    rows[i] = { entityId: id, path: 'online', watermark: state.w, columns, memo };
  }

  private offlineAt(i: number, watermark: number | null, offline: number[], watermarks: Map<number, number | null>): void {
    offline.push(i);
    watermarks.set(i, watermark);
  }
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

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
