import { nameBasedUuid } from '../prediction/name-based-uuid';

/** The namespace of exposure ids (a fixed random UUID, distinct from the prediction ids'). */
export const EXPOSURE_ID_NAMESPACE = '3b0e5f5e-8f0a-4d6c-9b53-2a41f7c3d9e1';

function part(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${argument} must be a non-empty string, got ${JSON.stringify(value) ?? typeof value}`);
  if (value.includes('\u0000')) throw new RangeError(`${argument} holds a NUL character (U+0000)`);
  return value;
}

/**
 * The id of `unit`'s exposure to `experimentKey`: UUID v5 of "<experimentKey>\0<unit>". Every exposure
 * of a unit to one experiment has the same id whoever publishes it, so consumers count a unit once.
 */
export function exposureId(experimentKey: string, unit: string): string {
  return nameBasedUuid(EXPOSURE_ID_NAMESPACE, `${part(experimentKey, 'experimentKey')}\u0000${part(unit, 'unit')}`);
}
