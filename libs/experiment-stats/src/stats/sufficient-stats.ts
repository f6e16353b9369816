import { assertArray, assertFiniteNumber } from '../guards';
import type { CovariateStats, MetricStats } from './sufficient-stats.types';

/** Neumaier's compensated sum: the sums of a large variant keep their digits, as a database's numeric would. */
class CompensatedSum {
  private sum = 0;
  private carry = 0;
  add(x: number): void {
    const t = this.sum + x;
    this.carry += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }
  get value(): number {
    return this.sum + this.carry;
  }
}

/** The sufficient statistics of a variant's values (each a finite number). */
export function metricStats(values: ArrayLike<number>, name = 'values'): MetricStats {
  assertArray(values, name);
  const sum = new CompensatedSum();
  const squares = new CompensatedSum();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    assertFiniteNumber(v, `${name}[${i}]`);
    sum.add(v);
    squares.add(v * v);
  }
  return { n: values.length, sum: sum.value, sumSquares: squares.value };
}

/** The sufficient statistics of values with their pre-period covariate (same length, same units). */
export function covariateStats(
  values: ArrayLike<number>,
  pre: ArrayLike<number>,
  names: [string, string] = ['values', 'pre'],
): CovariateStats {
  const base = metricStats(values, names[0]);
  assertArray(pre, names[1]);
  if (pre.length !== values.length)
    throw new RangeError(`${names[1]} has ${pre.length} values but ${names[0]} has ${values.length}`);
  const sumPre = new CompensatedSum();
  const sumPreSquares = new CompensatedSum();
  const sumProduct = new CompensatedSum();
  for (let i = 0; i < pre.length; i++) {
    const x = pre[i];
    assertFiniteNumber(x, `${names[1]}[${i}]`);
    sumPre.add(x);
    sumPreSquares.add(x * x);
    sumProduct.add(values[i] * x);
  }
  return {
    ...base,
    sumPre: sumPre.value,
    sumPreSquares: sumPreSquares.value,
    sumProduct: sumProduct.value,
  };
}
