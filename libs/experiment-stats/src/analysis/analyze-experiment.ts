import { COMPARISON_TESTS, type MetricType } from '../comparison/comparison-test.registry';
import type { Comparison } from '../comparison/comparison.types';
import { CORRECTIONS, type CorrectionName } from '../corrections/correction.registry';
import { cupedAdjustment, cupedWelchTest } from '../cuped/cuped';
import { assertAlpha, assertArray, assertWeights } from '../guards';
import { sequentialTest, type SequentialOptions, type SequentialResult } from '../sequential/msprt';
import { srmTest, type SrmResult } from '../srm/srm-test';
import { summarize } from '../stats/summarize';
import type { CovariateStats, MetricStats, VariantSummary } from '../stats/sufficient-stats.types';

export interface VariantStats {
  readonly name: string;
  /** With the covariate's sums when CUPED is wanted. */
  readonly stats: MetricStats | CovariateStats;
}

export interface AnalyzeOptions {
  /** The variant the others are compared with. */
  readonly control: string;
  readonly metricType: MetricType;
  /** Planned share of units per variant, in the variants' order; default equal. */
  readonly weights?: readonly number[];
  /** Adjusts the p-values of the comparisons (and separately the CUPED ones). Default 'none'. */
  readonly correction?: CorrectionName;
  /** Default 0.05. */
  readonly alpha?: number;
  /** Also compare on CUPED-adjusted values (every variant needs the covariate's sums). */
  readonly cuped?: boolean;
  /** The always-valid results' mixture; alpha is the analysis's. */
  readonly sequential?: Omit<SequentialOptions, 'alpha' | 'previousPValue'>;
  /** SRM flag threshold; default 0.001. */
  readonly srmThreshold?: number;
}

export interface CupedComparison extends Comparison {
  readonly theta: number;
  readonly pValueAdjusted: number;
}

export interface VariantComparison extends Comparison {
  readonly variant: string;
  readonly control: string;
  readonly pValueAdjusted: number;
  readonly sequential: SequentialResult;
  readonly cuped: CupedComparison | null;
}

export interface ExperimentAnalysis {
  readonly metricType: MetricType;
  readonly alpha: number;
  readonly correction: CorrectionName;
  readonly variants: readonly (VariantSummary & { readonly name: string })[];
  readonly srm: SrmResult;
  readonly comparisons: readonly VariantComparison[];
}

/**
 * Every variant against the control from sufficient statistics: summaries, the SRM check, each
 * comparison with the metric type's test, its always-valid counterpart, optionally CUPED, and the
 * family's adjusted p-values.
 */
export function analyzeExperiment(variants: readonly VariantStats[], options: AnalyzeOptions): ExperimentAnalysis {
  assertArray(variants, 'variants');
  if (variants.length < 2) throw new RangeError(`variants must hold at least two variants, got ${variants.length}`);
  const names = variants.map((v, i) => {
    if (typeof v?.name !== 'string' || v.name === '') throw new TypeError(`variants[${i}].name must be a string`);
    return v.name;
  });
  if (new Set(names).size !== names.length) throw new RangeError('variants must have distinct names');
  const controlIndex = names.indexOf(options.control);
  if (controlIndex < 0)
    throw new RangeError(`control "${options.control}" is not one of the variants (${names.join(', ')})`);
  const test = Object.hasOwn(COMPARISON_TESTS, options.metricType) ? COMPARISON_TESTS[options.metricType] : undefined;
  if (!test) throw new RangeError(`metricType must be one of ${Object.keys(COMPARISON_TESTS).join(', ')}`);
  const correctionName = options.correction ?? 'none';
  const correct = Object.hasOwn(CORRECTIONS, correctionName) ? CORRECTIONS[correctionName] : undefined;
  if (!correct) throw new RangeError(`correction must be one of ${Object.keys(CORRECTIONS).join(', ')}`);
  const alpha = options.alpha ?? 0.05;
  assertAlpha(alpha);
  const weights = options.weights ?? names.map(() => 1 / names.length);
  assertWeights(weights, 'weights', names.length);

  const summaries = variants.map((v, i) => summarize(v.stats, `variants[${i}] (${v.name}).stats`));
  const adjustment = options.cuped ? cupedAdjustment(variants.map(covariateOf)) : undefined;
  const control = variants[controlIndex];

  const raw = variants
    .map((v, i) => ({ v, i }))
    .filter(({ i }) => i !== controlIndex)
    .map(({ v }) => {
      const result = test(v.stats, control.stats, { alpha });
      const sequential = sequentialTest(
        { difference: result.difference, standardError: result.standardError, n: v.stats.n + control.stats.n },
        { ...options.sequential, alpha },
      );
      const cuped = adjustment && cupedWelchTest(covariateOf(v), covariateOf(control), adjustment, { alpha });
      return { variant: v.name, result, sequential, cuped };
    });

  const adjusted = adjustFamily(
    raw.map((r) => r.result.pValue),
    correct,
  );
  const cupedAdjusted = adjustment
    ? adjustFamily(
        raw.map((r) => r.cuped!.pValue),
        correct,
      )
    : [];
  return {
    metricType: options.metricType,
    alpha,
    correction: correctionName,
    variants: summaries.map((s, i) => ({ name: names[i], ...s })),
    srm: srmTest(
      summaries.map((s) => s.n),
      weights,
      { threshold: options.srmThreshold },
    ),
    comparisons: raw.map((r, k) => ({
      variant: r.variant,
      control: control.name,
      ...r.result,
      pValueAdjusted: adjusted[k],
      sequential: r.sequential,
      cuped: r.cuped ? { ...r.cuped, pValueAdjusted: cupedAdjusted[k] } : null,
    })),
  };
}

function covariateOf(v: VariantStats): CovariateStats {
  const s = v.stats as Partial<CovariateStats>;
  if (s.sumPre === undefined || s.sumPreSquares === undefined || s.sumProduct === undefined)
    throw new TypeError(`variant ${v.name}: stats need sumPre, sumPreSquares and sumProduct for CUPED`);
  return v.stats as CovariateStats;
}

/** The correction over the defined p-values; an undefined one (NaN) stays undefined and is left out of the family. */
function adjustFamily(pValues: readonly number[], correct: (p: readonly number[]) => number[]): number[] {
  const defined = pValues.map((p, i) => ({ p, i })).filter(({ p }) => !Number.isNaN(p));
  const out = pValues.map(() => NaN);
  correct(defined.map((d) => d.p)).forEach((q, k) => (out[defined[k].i] = q));
  return out;
}
