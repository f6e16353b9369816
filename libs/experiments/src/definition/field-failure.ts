/** Throws the definition's error for one field; never returns. */
export type Fail = (field: string, message: string) => never;

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Tolerance for weights that should sum to 1 or agree with ranges. */
export const WEIGHT_TOLERANCE = 1e-6;
