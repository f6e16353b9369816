import type { EngagementEvent } from '@pulse/contracts';
import type { FeatureValue, FeatureValues } from '../definition/feature-view.types';

// The shapes the read path hands between its parts (the reader, the evaluated-views cache and the batch
// encoder), kept apart from all three so that none of them imports another's module for a type.

export type ReadPath = 'online' | 'offline';

/**
 * One view's values for one entity, positional in the view's declared feature order, as evaluated at
 * `asOf`. At another time T of the same epoch (see EvaluatedViews) they read: `freshness[i] + (T − asOf)`
 * (T minus the newest contributing event time), and for a timeSinceLast feature the value shifts alike;
 * every other value is the same. (Times are integer ms, so the shift is exact.)
 */
export interface ViewColumns {
  readonly version: number;
  readonly asOf: number;
  /** Positions of the timeSinceLast features. */
  readonly shifted: readonly number[];
  readonly values: FeatureValue[];
  readonly freshness: (number | null)[];
  /** Derived encodings, filled in by the first batch answer that writes these columns (batch-response.writer.ts). */
  encoded?: Buffer[];
  repeats?: Int32Array;
}

/**
 * An online row's whole encoding (head, values, freshness) as of a time `at`, kept with the entity's
 * cached evaluation. At another time T of the same epoch only the numbers that move with the as-of
 * time change, each by T − at (see ViewColumns): they are rewritten in place.
 */
export interface RowTemplate {
  /** Made from the memo's columns at generation `gen` for the views named `views` (an interned string). */
  readonly gen: number;
  readonly views: string;
  /** Bytes of the row in `bytes`. */
  readonly length: number;
  /**
   * The row as of `at`, then per moving number two int32s, then `at` (a float64), all little-endian,
   * so that one copy brings everything a write reads into the answer's buffer (a batch touches a
   * thousand templates: each further object would be a cache miss). The int32s: `end << 5 | digits << 1
   * | whole`, then `low`: the number's last `digits` (at most 9) decimal digits end at byte `end` of
   * the row and read `low`; `whole`: they are all of its digits. At T the same bytes read
   * low + (T − at) while that has as many digits (with a leading digit when whole), the digits before
   * them unchanged. Null: a moving number cannot be patched (not an integer in [0, 1e15]).
   */
  readonly bytes: Buffer | null;
}

/** What a cached entity's answer may keep of its encoding (its watermark and id do not change). */
export interface EncodingMemo {
  /**
   * Changes whenever the cached columns do: an encoding made at the same generation for the same views
   * was made from the very columns a lookup gives now.
   */
  readonly gen: number;
  /** Filled in by batch-response.writer.ts. */
  row?: RowTemplate;
}

/** A requested view as an answer names it: its features in order, and how to key values by them. */
export interface AnsweredView {
  readonly name: string;
  readonly features: readonly string[];
  /** `{ [feature]: values[i] }` in declared order (a compiled literal: fast properties). */
  readonly record: <T>(values: readonly T[]) => Record<string, T>;
}

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
  readonly views: readonly AnsweredView[];
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

/**
 * Where the offline path reads logged events: one stream, grouped by entity in key order (entity, then
 * event time), of the given entities' events up to `untilMs` inclusive. The event log repository of
 * @pulse/storage is one.
 */
export interface EventHistorySource {
  streamForEntities(query: {
    readonly entityIds: readonly string[];
    readonly untilMs: number;
  }): AsyncIterable<EngagementEvent>;
}
