import type { FeatureReader, FeatureValues, ReadPath } from '@pulse/features';
import type { CompiledModelSpec, TriggerContext } from '@pulse/models';

/** An entity's view values as of a time, as the model's vector function takes them. */
export interface FeatureSnapshot {
  readonly values: FeatureValues;
  /** Newest event time the answer covers (the online state's, or the log's up to the time); null: none. */
  readonly watermarkMs: number | null;
  /** online when every view group was answered from the entity's state. */
  readonly path: ReadPath;
}

export interface CatchUp {
  /** Waits at most this long for the entity's state to cover `atMs`. */
  readonly maxWaitMs: number;
  /** Aborts the wait (a stopping consumer). */
  readonly signal?: AbortSignal;
}

export interface CaughtUpSnapshot extends FeatureSnapshot {
  readonly waitedMs: number;
  /** false: the state did not cover the trigger within maxWaitMs (scored on what was there). */
  readonly caughtUp: boolean;
}

// First re-read after 2 ms, doubling to 50 ms: feature-service folds a batch in a few ms.
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 50;

/**
 * Reads a model's views for one entity as of `atMs` (each view at `atMs` plus its as-of offset, as
 * the training-set builder evaluates them), through the same FeatureReader as feature-service's API:
 * the online state when it can answer that time, the event log's replay otherwise.
 */
export async function readSnapshot(
  reader: FeatureReader,
  compiled: CompiledModelSpec,
  entityId: string,
  atMs: number,
): Promise<FeatureSnapshot> {
  const values: FeatureValues = {};
  let watermarkMs: number | null = null;
  let path: ReadPath = 'online';
  for (const [offset, views] of viewsByOffset(compiled)) {
    const [answer] = await reader.read([entityId], atMs + offset, views);
    Object.assign(values, answer.views);
    if (answer.path === 'offline') path = 'offline';
    if (offset === 0) watermarkMs = answer.watermark === null ? null : Date.parse(answer.watermark);
  }
  return { values, watermarkMs, path };
}

/**
 * readSnapshot for a trigger event: first waits until the entity's online state has folded events up
 * to the trigger's time (feature-service consumes the same topic in its own group, so it may be
 * behind), so the features are the ones the training-set builder computes for (entity, trigger time).
 * A state already past the trigger is fine: the reader replays the log up to the trigger's time.
 */
export async function readSnapshotForTrigger(
  reader: FeatureReader,
  compiled: CompiledModelSpec,
  entityId: string,
  atMs: number,
  catchUp: CatchUp,
): Promise<CaughtUpSnapshot> {
  const started = performance.now();
  let pollMs = FIRST_POLL_MS;
  for (;;) {
    const snapshot = await readSnapshot(reader, compiled, entityId, atMs);
    const waitedMs = performance.now() - started;
    const caughtUp = snapshot.watermarkMs !== null && snapshot.watermarkMs >= atMs;
    if (caughtUp || waitedMs >= catchUp.maxWaitMs || catchUp.signal?.aborted)
      return { ...snapshot, waitedMs, caughtUp };
    await sleep(Math.min(pollMs, Math.max(1, catchUp.maxWaitMs - waitedMs)));
    pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
  }
}

/** The trigger fields the vector function reads, from an event or an HTTP request's context. */
export function triggerContext(
  atMs: number,
  context: { channel?: string; contentId?: string; attributes?: Readonly<Record<string, string | number | boolean>> },
): TriggerContext {
  return {
    eventTimeMs: atMs,
    ...(context.channel !== undefined ? { channel: context.channel } : {}),
    ...(context.contentId !== undefined ? { contentId: context.contentId } : {}),
    ...(context.attributes !== undefined ? { attributes: context.attributes } : {}),
  };
}

function viewsByOffset(compiled: CompiledModelSpec): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const v of compiled.views) {
    const names = groups.get(v.asOfOffsetMs) ?? [];
    names.push(v.name);
    groups.set(v.asOfOffsetMs, names);
  }
  // The trigger's own time first: its watermark is the one the catch-up compares.
  return new Map([...groups].sort((a, b) => (a[0] === 0 ? -1 : b[0] === 0 ? 1 : a[0] - b[0])));
}

// No abort listener: the polls are short (the loop checks the signal between them), and dozens of
// waits at once on one batch's signal would each add one.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
