// Option parsers of the `experiments` commands: commander reports a refused value with the option's name.
import { InvalidArgumentError } from 'commander';
import { CORRECTION_NAMES, METRIC_TYPES, type CorrectionName, type MetricType } from '@pulse/experiment-stats';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number as written in a file or an option (no hex, no Infinity, no blank). */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

/** A number strictly between 0 and 1 (alpha, power, a baseline rate). */
export function openUnit(value: string): number {
  const n = parseDecimal(value);
  if (n === undefined || !(n > 0 && n < 1))
    throw new InvalidArgumentError('expected a number between 0 and 1 (exclusive).');
  return n;
}

/** A finite non-zero number (a minimum detectable effect, possibly negative). */
export function nonZero(value: string): number {
  const n = parseDecimal(value);
  if (n === undefined || n === 0) throw new InvalidArgumentError('expected a non-zero number.');
  return n;
}

export function metricType(value: string): MetricType {
  if (!(METRIC_TYPES as string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${METRIC_TYPES.join(', ')}.`);
  return value as MetricType;
}

export function correction(value: string): CorrectionName {
  if (!(CORRECTION_NAMES as string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${CORRECTION_NAMES.join(', ')}.`);
  return value as CorrectionName;
}

/** `a=0.5,b=0.5` → [[a, 0.5], [b, 0.5]]; a variant's name is everything before its last '='. */
export function weightsOption(value: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const part of value.split(',')) {
    const eq = part.lastIndexOf('=');
    const name = part.slice(0, eq).trim();
    const w = parseDecimal(part.slice(eq + 1));
    if (eq <= 0 || name === '' || w === undefined)
      throw new InvalidArgumentError(`"${part}" is not variant=weight (e.g. control=0.5,treatment=0.5).`);
    if (!(w > 0)) throw new InvalidArgumentError(`the weight of "${name}" must be > 0, got ${w}.`);
    if (weights.has(name)) throw new InvalidArgumentError(`"${name}" is given twice.`);
    weights.set(name, w);
  }
  return weights;
}
