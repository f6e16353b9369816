import { Inject, Injectable } from '@nestjs/common';
import {
  canEvaluateAt,
  evaluate,
  evaluateOffline,
  type FeatureRegistry,
  type FeatureValues,
  type OnlineStore,
} from '@pulse/features';
import { ValidationError } from '@pulse/core';
import type { EventLogRepository } from '@pulse/storage';
import type { FsMetrics } from '../app/feature-service.metrics';
import { EVENT_LOG, FEATURE_REGISTRY, FS_METRICS, ONLINE_STORE } from '../app/tokens';

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

/**
 * Answers feature reads as of a time. The online state answers any time at or after its watermark;
 * an earlier time, or an entity whose state is gone (TTL), is answered by replaying the event log
 * through the same code (evaluateOffline), never by a wrong online read.
 */
@Injectable()
export class FeatureReadService {
  constructor(
    @Inject(ONLINE_STORE) private readonly store: OnlineStore,
    @Inject(EVENT_LOG) private readonly eventLog: EventLogRepository,
    @Inject(FEATURE_REGISTRY) private readonly registry: FeatureRegistry,
    @Inject(FS_METRICS) private readonly metrics: FsMetrics,
  ) {}

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

  async read(entityIds: readonly string[], atMs: number, views?: readonly string[]): Promise<EntityFeatures[]> {
    const stored = await this.store.getStates(entityIds);
    const out = new Array<EntityFeatures>(entityIds.length);
    const offline: number[] = [];
    const at = new Date(atMs).toISOString();
    entityIds.forEach((entityId, i) => {
      const s = stored.get(entityId);
      if (s && canEvaluateAt(s.state, atMs)) {
        out[i] = { entityId, at, path: 'online', watermark: iso(s.state.w), views: evaluate(s.state, atMs, this.registry, views) };
      } else {
        offline.push(i);
      }
    });
    if (offline.length < entityIds.length) this.metrics.featureReads.inc({ path: 'online' }, entityIds.length - offline.length);
    if (offline.length > 0) this.metrics.featureReads.inc({ path: 'offline' }, offline.length);
    for (const i of offline) {
      const entityId = entityIds[i];
      const events = await this.eventLog.eventsForEntity(entityId, atMs);
      const watermark = stored.get(entityId)?.state.w ?? (events.length > 0 ? Math.max(...events.map((e) => e.eventTimeMs)) : null);
      out[i] = { entityId, at, path: 'offline', watermark: iso(watermark), views: evaluateOffline(events, atMs, this.registry, views) };
    }
    return out;
  }
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
