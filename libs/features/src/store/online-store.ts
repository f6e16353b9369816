import { PulseError, ValidationError } from '@pulse/core';
import { isEntityState, type EntityState } from '../engine/entity-state';
import { decodeValue } from './state-decoder';
import type { ByteSink } from '@pulse/core';
import { ValueWriter } from './state-encoder';

export interface StoredState {
  readonly state: EntityState;
  /** Incremented on every write; 1 after the first. */
  readonly version: number;
}

export interface StateUpdate {
  readonly state: EntityState;
  /** The version read (0 = the entity had no state); the write fails if it changed meanwhile. */
  readonly expectedVersion: number;
  /**
   * The state's stored form at expectedVersion + 1 (encodeStoredState), when the caller has encoded
   * it already: the store writes these bytes instead of encoding the state. (foldBatchIntoStore
   * encodes each state as soon as it is folded, while it is still in the CPU cache.) Only valid
   * until putStates settles: a store copies what it keeps.
   */
  readonly value?: Buffer;
}

/**
 * Where online entity states live between batches. Writes are compare-and-set on a version, all or
 * nothing per call, so two consumers racing over the same entity (e.g. across a rebalance) cannot lose
 * each other's updates: the loser gets a StateVersionConflictError and retries its batch.
 */
export interface OnlineStore {
  /** States of the given entities; an entity without state (or whose state expired) is absent. */
  getStates(entityIds: readonly string[]): Promise<Map<string, StoredState>>;
  /**
   * Only the stored versions (reading the `<version>|` head of each value, never the state), for
   * readers holding decoded states (StateCache.peek) to tell which are current. Absent as in getStates;
   * NaN for a corrupt value (getStates reports it).
   */
  getVersions(entityIds: readonly string[]): Promise<Map<string, number>>;
  /** Writes all the states, or none if any version differs (StateVersionConflictError, retriable). */
  putStates(updates: ReadonlyMap<string, StateUpdate>): Promise<void>;
  deleteStates(entityIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export class StateVersionConflictError extends PulseError {
  constructor(readonly entityIds: readonly string[]) {
    super(
      `online state changed concurrently for ${entityIds.length} entit${entityIds.length === 1 ? 'y' : 'ies'} (${entityIds.slice(0, 5).join(', ')}${entityIds.length > 5 ? ', …' : ''}); retry the batch`,
      {
        retriable: true,
      },
    );
  }
}

/** Default time to live of an entity's online state: 90 days without events. */
export const DEFAULT_STATE_TTL_SECONDS = 90 * 24 * 3600;

/** Where feature-service keeps its states in Redis unless told otherwise (REDIS_KEY_PREFIX); its tools use the same. */
export const DEFAULT_SERVICE_STATE_KEY_PREFIX = 'pulse:fs:';

/**
 * Stored form: the ASCII `<version>|` (the compare-and-set reads the version without the state), the
 * format byte, then the state in that format. Format 0x02: the state as one value of state-codec.ts.
 * The first format was `<version>|<JSON>` ('{' where the format byte is). A value in any format but
 * the current one is read as no state at all — the caller rebuilds it from the event log (the
 * service's loadMissing) — and a write expecting version 0 replaces it.
 */
export const STATE_FORMAT = 0x02;

const FORMAT_CHAR = String.fromCharCode(STATE_FORMAT);
const writer = new ValueWriter();

export function encodeStoredState(state: EntityState, version: number): Buffer {
  return writer.encode(`${version}|${FORMAT_CHAR}`, state);
}

/** encodeStoredState appended to `sink` (e.g. a batch of states written as one buffer). */
export function encodeStoredStateTo(sink: ByteSink, state: EntityState, version: number): void {
  writer.encodeTo(sink, `${version}|${FORMAT_CHAR}`, state);
}

/** The version of a stored value, 0 when it is in another format (it counts as absent), NaN when corrupt. */
export function storedVersion(value: Buffer): number {
  const bar = value.indexOf(0x7c); // '|'
  if (bar < 1 || bar > 15) return NaN;
  if (value[bar + 1] !== STATE_FORMAT) return 0;
  const version = Number(value.toString('latin1', 0, bar));
  return Number.isInteger(version) && version >= 1 ? version : NaN;
}

/** The state and version of a stored value; undefined for a value in another format (see above). */
export function decodeStoredState(entityId: string, value: Buffer): StoredState | undefined {
  const version = storedVersion(value);
  if (version === 0) return undefined;
  let state: unknown;
  try {
    state = decodeValue(value, value.indexOf(0x7c) + 2);
  } catch (cause) {
    throw new ValidationError(`online state of ${entityId} is corrupt (${(cause as Error).message})`, {
      field: entityId,
      cause,
    });
  }
  if (Number.isNaN(version) || !isEntityState(state)) {
    throw new ValidationError(`online state of ${entityId} is not a Pulse entity state`, { field: entityId });
  }
  return { state, version };
}

export function checkTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0)
    throw new RangeError(`ttlSeconds must be a non-negative integer (0 = no expiry), got ${ttlSeconds}`);
}
