import { nameBasedUuid } from './name-based-uuid';

/** The namespace of prediction ids (a fixed random UUID: ids of other kinds cannot collide with them). */
export const PREDICTION_ID_NAMESPACE = 'f6dd66ad-54a5-43fb-9aa7-3a5d4c74b046';

function part(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${argument} must be a non-empty string, got ${JSON.stringify(value) ?? typeof value}`);
  // NUL separates the parts of the name, so no part may hold one (ids never do).
  if (value.includes('\u0000')) throw new RangeError(`${argument} holds a NUL character (U+0000)`);
  return value;
}

/**
 * The id of the prediction `model` made for the trigger event `triggerEventId` under `alias`:
 * UUID v5 in PREDICTION_ID_NAMESPACE of "<model>\0<triggerEventId>\0<alias>". A redelivered trigger
 * gets the same id (consumers dedupe on it); the champion's and a challenger's or shadow's
 * predictions of one trigger get different ids.
 */
export function predictionId(model: string, triggerEventId: string, alias: string): string {
  const name = `${part(model, 'model')}\u0000${part(triggerEventId, 'triggerEventId')}\u0000${part(alias, 'alias')}`;
  return nameBasedUuid(PREDICTION_ID_NAMESPACE, name);
}
