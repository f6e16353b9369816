import type { ModelSpec } from '@pulse/models';
import type { Evaluation, GateVerdict } from '../evaluate/evaluation.types';

/** Metrics where lower is better: a champion comparison flips for them. */
const LOWER_IS_BETTER = new Set(['logloss', 'mlogloss', 'brier', 'ece', 'rmse', 'mae']);

const COMPARE: Record<string, (v: number, t: number) => boolean> = {
  '>': (v, t) => v > t,
  '>=': (v, t) => v >= t,
  '<': (v, t) => v < t,
  '<=': (v, t) => v <= t,
};

/** The champion's score on the candidate's own test examples (or its recorded one when it cannot be rescored). */
export interface ChampionScore {
  readonly version: number;
  readonly value: number;
  readonly sameTestWindow: boolean;
}

export const CHAMPION_GATE = 'champion';

/**
 * The spec's absolute gates (a metric against a threshold), fairness gates (each attribute's
 * demographic parity and equalized-odds differences against their maximum) and the champion gate
 * (beat the current champion by the spec's margin; passes when there is no champion yet).
 */
export function evaluateGates(spec: ModelSpec, evaluation: Evaluation, champion?: ChampionScore): GateVerdict[] {
  const verdicts: GateVerdict[] = [];
  for (const g of spec.gates.absolute) {
    const value = evaluation.metrics[g.metric];
    const known = value !== undefined && Number.isFinite(value);
    const passed = known && COMPARE[g.op](value, g.threshold);
    verdicts.push({
      name: `${g.metric} ${g.op} ${g.threshold}`,
      passed,
      value: known ? value : null,
      threshold: g.threshold,
      detail: known
        ? `${g.metric} ${value.toFixed(4)} ${passed ? '' : 'not '}${g.op} ${g.threshold}`
        : `${g.metric} was not measured`,
    });
  }
  const fairness = spec.gates.fairness;
  for (const f of evaluation.fairness) {
    for (const [key, value, lower, max] of [
      [
        'demographic_parity_difference',
        f.demographicParityDifference,
        f.demographicParityLowerBound,
        fairness?.maxDemographicParityDifference,
      ],
      [
        'equalized_odds_difference',
        f.equalizedOddsDifference,
        f.equalizedOddsLowerBound,
        fairness?.maxEqualizedOddsDifference,
      ],
    ] as const) {
      if (max === undefined) continue;
      // judged beyond sampling noise when the evaluation measured it: a gap is a fault only if it is real
      const judged = lower ?? value;
      const passed = judged <= max;
      const noise = lower === undefined ? '' : ` (${lower.toFixed(4)} beyond sampling noise)`;
      verdicts.push({
        name: `fairness ${key} (${f.attribute})`,
        passed,
        value,
        threshold: max,
        detail: `${key} over ${f.attribute} groups ${value.toFixed(4)}${noise} ${passed ? '<=' : '>'} ${max}`,
      });
    }
  }
  const { metric, minImprovement } = spec.gates.champion;
  const mine = evaluation.metrics[metric];
  if (!champion) {
    verdicts.push({
      name: CHAMPION_GATE,
      passed: true,
      value: null,
      threshold: minImprovement,
      detail: 'no champion yet',
    });
  } else {
    const gain = LOWER_IS_BETTER.has(metric) ? champion.value - mine : mine - champion.value;
    const passed = gain >= minImprovement;
    verdicts.push({
      name: CHAMPION_GATE,
      passed,
      value: gain,
      threshold: minImprovement,
      detail: `${metric} ${mine.toFixed(4)} against champion v${champion.version}'s ${champion.value.toFixed(4)} ${
        champion.sameTestWindow ? 'on the same test examples' : '(its recorded test value: other inputs)'
      }: ${gain >= 0 ? '+' : ''}${gain.toFixed(4)} ${passed ? '>=' : '<'} ${minImprovement}`,
    });
  }
  return verdicts;
}

/** Whether the quality and fairness gates passed (the champion gate only decides the alias). */
export function qualityGatesPassed(verdicts: readonly GateVerdict[]): boolean {
  return verdicts.every((v) => v.name === CHAMPION_GATE || v.passed);
}
