import { PulseError, ValidationError } from '@pulse/core';
import { isEntityState, type EntityState } from '../engine/entity-state';

export interface StoredState {
  readonly state: EntityState;
  /** Incremented on every write; 1 after the first. */
  readonly version: number;
}

export interface StateUpdate {
  readonly state: EntityState;
  /** The version read (0 = the entity had no state); the write fails if it changed meanwhile. */
  readonly expectedVersion: number;
}

/**
 * Where online entity states live between batches. Writes are compare-and-set on a version, all or
 * nothing per call, so two consumers racing over the same entity (e.g. across a rebalance) cannot lose
 * each other's updates: the loser gets a StateVersionConflictError and retries its batch.
 */
export interface OnlineStore {
  /** States of the given entities; an entity without state (or whose state expired) is absent. */
  getStates(entityIds: readonly string[]): Promise<Map<string, StoredState>>;
  /** Writes all the states, or none if any version differs (StateVersionConflictError, retriable). */
  putStates(updates: ReadonlyMap<string, StateUpdate>): Promise<void>;
  deleteStates(entityIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export class StateVersionConflictError extends PulseError {
  constructor(readonly entityIds: readonly string[]) {
    super(`online state changed concurrently for ${entityIds.length} entit${entityIds.length === 1 ? 'y' : 'ies'} (${entityIds.slice(0, 5).join(', ')}${entityIds.length > 5 ? ', …' : ''}); retry the batch`, {
      retriable: true,
    });
  }
}

/** Default time to live of an entity's online state: 90 days without events. */
export const DEFAULT_STATE_TTL_SECONDS = 90 * 24 * 3600;

// Stored form: `<version>|<state JSON>`; the version in front lets a CAS read it without the state.
export function encodeStoredState(state: EntityState, version: number): string {
  return `${version}|${JSON.stringify(state)}`;
}

export function decodeStoredState(entityId: string, text: string): StoredState {
  const bar = text.indexOf('|');
  const version = bar > 0 ? Number(text.slice(0, bar)) : NaN;
  let state: unknown;
  try {
    state = JSON.parse(text.slice(bar + 1));
  } catch (cause) {
    throw new ValidationError(`online state of ${entityId} is not valid JSON`, { field: entityId, cause });
  }
  if (!Number.isInteger(version) || version < 1 || !isEntityState(state)) {
    throw new ValidationError(`online state of ${entityId} is not a Pulse entity state`, { field: entityId });
  }
  return { state, version };
}

export function checkTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) throw new RangeError(`ttlSeconds must be a non-negative integer (0 = no expiry), got ${ttlSeconds}`);
}
