import type { AlertObservation } from './alert.types';

/** An alert's state as stored between evaluations (one per rule and key). */
export interface AlertState {
  readonly firing: boolean;
  /** When it last fired (ms), if ever. */
  readonly firedAtMs: number | null;
  /** No new firing before this (ms): the cooldown after a resolution. */
  readonly quietUntilMs: number;
}

export const INITIAL_ALERT_STATE: AlertState = { firing: false, firedAtMs: null, quietUntilMs: 0 };

export type AlertTransition = 'fired' | 'resolved' | null;

/**
 * The next state after an observation: a firing observation fires once (deduplicated while it stays
 * over the threshold), and only after the cooldown since the last resolution; it resolves only once
 * the value is back inside the hysteresis band (`clear`), so a value hovering at the threshold does
 * not flap.
 */
export function nextAlertState(
  state: AlertState,
  observation: Pick<AlertObservation, 'firing' | 'clear'>,
  nowMs: number,
  cooldownMs: number,
): { state: AlertState; transition: AlertTransition } {
  if (!state.firing && observation.firing && nowMs >= state.quietUntilMs)
    return { state: { firing: true, firedAtMs: nowMs, quietUntilMs: state.quietUntilMs }, transition: 'fired' };
  if (state.firing && observation.clear)
    return {
      state: { firing: false, firedAtMs: state.firedAtMs, quietUntilMs: nowMs + cooldownMs },
      transition: 'resolved',
    };
  return { state, transition: null };
}
