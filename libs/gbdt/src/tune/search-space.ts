/**
 * A hyperparameter search space: per parameter a distribution. Samplers work in a unit cube: each
 * numeric parameter maps to u in [0, 1] (log-scaled for 'log'), each choice to an index.
 */
export type ParamDistribution =
  | { type: 'float'; low: number; high: number }
  | { type: 'int'; low: number; high: number }
  /** Log-uniform float (e.g. eta, lambda); low > 0. */
  | { type: 'log'; low: number; high: number }
  | { type: 'choice'; values: readonly (number | string | boolean)[] };

export type SearchSpace = Record<string, ParamDistribution>;
export type ParamValue = number | string | boolean;

/** Throws RangeError / TypeError naming the parameter when a distribution is malformed. */
export function validateSpace(space: SearchSpace): void {
  if (space === null || typeof space !== 'object')
    throw new TypeError('space must be an object of parameter distributions');
  const names = Object.keys(space);
  if (names.length === 0) throw new RangeError('space must have at least one parameter');
  for (const name of names) {
    const d = space[name];
    if (d === null || typeof d !== 'object') throw new TypeError(`space.${name} must be a distribution object`);
    if (d.type === 'choice') {
      if (!Array.isArray(d.values) || d.values.length === 0)
        throw new RangeError(`space.${name}.values must be a non-empty array`);
      continue;
    }
    if (d.type !== 'float' && d.type !== 'int' && d.type !== 'log') {
      throw new RangeError(
        `space.${name}.type must be 'float', 'int', 'log' or 'choice', got ${JSON.stringify((d as { type: unknown }).type)}`,
      );
    }
    if (
      typeof d.low !== 'number' ||
      typeof d.high !== 'number' ||
      !Number.isFinite(d.low) ||
      !Number.isFinite(d.high)
    ) {
      throw new TypeError(`space.${name}.low and .high must be finite numbers`);
    }
    if (d.low > d.high) throw new RangeError(`space.${name}: low ${d.low} is above high ${d.high}`);
    if (d.type === 'int' && (!Number.isInteger(d.low) || !Number.isInteger(d.high)))
      throw new RangeError(`space.${name}: int bounds must be integers`);
    if (d.type === 'log' && d.low <= 0) throw new RangeError(`space.${name}: log bounds must be > 0, got low ${d.low}`);
  }
}

/** Parameter value for a unit coordinate u in [0, 1] (numeric distributions). */
export function fromUnit(d: Exclude<ParamDistribution, { type: 'choice' }>, u: number): number {
  const t = Math.min(1, Math.max(0, u));
  if (d.type === 'float') return d.low + t * (d.high - d.low);
  if (d.type === 'log') return Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low)));
  return Math.min(d.high, d.low + Math.floor(t * (d.high - d.low + 1)));
}

/** The unit coordinate of a value (the centre of its cell for 'int'). */
export function toUnit(d: Exclude<ParamDistribution, { type: 'choice' }>, v: number): number {
  if (d.type === 'float') return d.high === d.low ? 0.5 : (v - d.low) / (d.high - d.low);
  if (d.type === 'log')
    return d.high === d.low ? 0.5 : (Math.log(v) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
  return (v - d.low + 0.5) / (d.high - d.low + 1);
}
