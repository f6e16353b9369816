// Simulated A/A tests (both arms draw from one distribution) looked at after every 100 units. An
// analyst who stops at the first fixed-horizon p < alpha declares far more than alpha of them
// significant; the always-valid p-value (running minimum across looks) stays at or under alpha.
import { Prng } from '@pulse/core';
import { proportionZTest } from '../comparison/proportion-z-test';
import { welchTTest } from '../comparison/welch-t-test';
import type { ComparisonTest } from '../comparison/comparison.types';
import type { MetricStats } from '../stats/sufficient-stats.types';
import { sequentialTest } from './msprt';

const ALPHA = 0.05;
const RUNS = 2_000;
const UNITS = 5_000;
const PEEK_EVERY = 100;
const SEED = 'aa-peeking';

interface Outcome {
  /** Runs where a fixed-horizon p-value fell below alpha at some look. */
  naiveRejections: number;
  /** Runs where the always-valid p-value fell below alpha at some look. */
  sequentialRejections: number;
  /** Runs whose always-valid interval held 0 at every look. */
  coveredThroughout: number;
  /** Runs where the fixed-horizon p-value at the last look alone fell below alpha. */
  finalRejections: number;
}

/** A mutable per-arm accumulator; the tests take it as the sufficient statistics it is. */
class Arm implements MetricStats {
  n = 0;
  sum = 0;
  sumSquares = 0;
  add(x: number): void {
    this.n++;
    this.sum += x;
    this.sumSquares += x * x;
  }
}

/** Each run on its own forked stream, so a run's data do not depend on how many draws others made. */
function simulate(metric: string, test: ComparisonTest, draw: (rng: Prng) => number): Outcome {
  const root = new Prng(`${SEED}/${metric}`);
  const outcome: Outcome = { naiveRejections: 0, sequentialRejections: 0, coveredThroughout: 0, finalRejections: 0 };
  for (let run = 0; run < RUNS; run++) {
    const rng = root.fork(run);
    const treatment = new Arm();
    const control = new Arm();
    let naive = false;
    let sequential = false;
    let covered = true;
    let previousPValue: number | undefined;
    for (let unit = 1; unit <= UNITS; unit++) {
      (rng.bernoulli(0.5) ? treatment : control).add(draw(rng));
      if (unit % PEEK_EVERY !== 0 || treatment.n < 2 || control.n < 2) continue;
      const fixed = test(treatment, control, { alpha: ALPHA });
      if (fixed.pValue < ALPHA) naive = true;
      if (unit === UNITS && fixed.pValue < ALPHA) outcome.finalRejections++;
      const always = sequentialTest(
        { difference: fixed.difference, standardError: fixed.standardError, n: treatment.n + control.n },
        { alpha: ALPHA, previousPValue },
      );
      previousPValue = always.pValue;
      if (always.pValue < ALPHA) sequential = true;
      if (!(always.ciLow <= 0 && always.ciHigh >= 0)) covered = false;
    }
    if (naive) outcome.naiveRejections++;
    if (sequential) outcome.sequentialRejections++;
    if (covered) outcome.coveredThroughout++;
  }
  return outcome;
}

const rate = (count: number): string => `${count}/${RUNS} = ${(count / RUNS).toFixed(4)}`;

const METRICS: Array<[string, ComparisonTest, (rng: Prng) => number]> = [
  ['conversion p = 0.3 (z-test)', proportionZTest, (rng) => (rng.bernoulli(0.3) ? 1 : 0)],
  ['skewed mean, exponential with mean 5 (Welch)', welchTTest, (rng) => rng.exponential(5)],
];

describe(`A/A tests, ${RUNS} runs of ${UNITS} units, a look every ${PEEK_EVERY} units, alpha ${ALPHA}`, () => {
  describe.each(METRICS)('%s', (metric, test, draw) => {
    // Simulated while the tests are collected, so the observed rates can be their names.
    const o = simulate(metric, test, draw);

    it(`always-valid false-positive rate ${rate(o.sequentialRejections)} is at or under alpha`, () =>
      expect(o.sequentialRejections / RUNS).toBeLessThanOrEqual(ALPHA));
    it(`fixed-horizon false-positive rate with peeking ${rate(o.naiveRejections)} is well above alpha`, () =>
      expect(o.naiveRejections / RUNS).toBeGreaterThan(0.15));
    // Looked at once, the fixed-horizon test holds its level: the excess above is the peeking's.
    it(`fixed-horizon false-positive rate at the last look alone ${rate(o.finalRejections)} is alpha`, () =>
      expect(Math.abs(o.finalRejections / RUNS - ALPHA)).toBeLessThan(3 * Math.sqrt((ALPHA * (1 - ALPHA)) / RUNS)));
    it(`always-valid interval holds 0 at every look in ${rate(o.coveredThroughout)} of runs`, () =>
      expect(o.coveredThroughout / RUNS).toBeGreaterThanOrEqual(1 - ALPHA));
  });
});
