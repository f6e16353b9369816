import type { EngagementEvent } from '@pulse/contracts';
import type { FeatureRegistry } from '../engine/feature-registry';
import { entityHistories, evaluateOffline } from '../engine/replay';
import type { EvaluatedViews } from './evaluated-views.cache';
import type { EncodingMemo, EventHistorySource, ViewColumns } from './read-answer.types';

/** A ColumnarRead while it is filled in. */
export interface PendingAnswer {
  readonly width: number;
  readonly online: Uint8Array;
  readonly watermarks: Float64Array;
  readonly columns: ViewColumns[];
  readonly memos: (EncodingMemo | undefined)[];
  /** Entities to replay from the log. */
  readonly offline: number[];
}

export interface ReplaySources {
  readonly registry: FeatureRegistry;
  readonly events: EventHistorySource;
  readonly evaluated: EvaluatedViews;
}

/**
 * Answers the entities waiting for the offline path by replaying their logged events up to atMs: one
 * stream (paged, in key order) for all of them, so a batch answered offline
 * (an earlier time, expired or stale states) costs a few round trips rather than one per entity, and
 * holds one entity's history at a time.
 */
export async function replayOffline(
  a: PendingAnswer,
  entityIds: readonly string[],
  atMs: number,
  positions: readonly number[],
  views: readonly string[] | undefined,
  sources: ReplaySources,
): Promise<void> {
  const { registry, evaluated } = sources;
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
    const values = evaluateOffline(events, atMs, registry, views);
    // As of atMs, not the state's: the events replayed are those up to atMs.
    const watermark = newestTime(events);
    for (const i of waiting) {
      evaluated.store(entityId, undefined, watermark, atMs, positions, values, a.columns, i * a.width);
      a.online[i] = 0;
      a.watermarks[i] = watermark ?? NaN;
      a.memos[i] = undefined;
    }
    at.delete(entityId);
  };
  for await (const { entityId, events } of entityHistories(
    sources.events.streamForEntities({ entityIds: [...at.keys()], untilMs: atMs }),
  ))
    answer(entityId, events);
  // Entities without a logged event up to atMs.
  for (const entityId of [...at.keys()]) answer(entityId, []);
}

/** The newest event time of a replay, null without events (a loop: a spread of a long history overflows the stack). */
function newestTime(events: readonly EngagementEvent[]): number | null {
  let newest: number | null = null;
  for (const e of events) if (newest === null || e.eventTimeMs > newest) newest = e.eventTimeMs;
  return newest;
}
