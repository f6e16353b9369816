import type { Channel } from '@pulse/contracts';

/**
 * What a request-time feature reads: the trigger event's fields (or, for an HTTP prediction, the
 * request's context in the same field names). Anything may be missing; a missing value is NaN.
 */
export interface TriggerContext {
  readonly eventTimeMs: number;
  readonly channel?: Channel | string;
  readonly contentId?: string;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** One request-time feature: a small module in its own file, listed in REQUEST_FEATURES. */
export interface RequestFeature {
  readonly name: string;
  readonly description: string;
  /** Column suffixes: one per output column (a one-hot feature has one per category). */
  readonly columns: readonly string[];
  /** The trigger fields it reads (the HTTP context's names), for documentation and validation. */
  readonly reads: readonly string[];
  /** Writes its values at out[offset…offset+columns.length). */
  write(ctx: TriggerContext, out: Float32Array, offset: number): void;
}
