import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@pulse/core';
import {
  analyzeExperiment,
  CORRECTION_NAMES,
  CORRECTIONS,
  srmTest,
  type CorrectionName,
  type ExperimentAnalysis,
} from '@pulse/experiment-stats';
import {
  defineExperiment,
  LEARNING_METRICS,
  type Experiment,
  type ExperimentDefinition,
  type Metric,
} from '@pulse/experiments';
import type { VariantMetricStats } from '@pulse/storage';
import type { ExperimentServiceMetrics } from '../app/experiment-service.metrics';
import { XS_INFRASTRUCTURE, XS_METRICS } from '../app/tokens';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';
import type { ComparisonJson, ExperimentResultsJson, MetricResultJson, Num } from './results.types';

const HOUR_MS = 3_600_000;

export interface ResultsOptions {
  readonly correction?: string;
  readonly alpha?: number;
  /** Results as of this time (default now, or the experiment's end). */
  readonly asOfMs?: number;
}

/**
 * An experiment's results: exposed units per variant against the weights (SRM), and per metric each
 * variant against the control (variation 0) from sufficient statistics computed in Postgres, with
 * CUPED, always-valid sequential intervals, and the chosen correction across every comparison of
 * every metric.
 */
@Injectable()
export class ResultsService {
  constructor(
    @Inject(XS_INFRASTRUCTURE) private readonly infra: ExperimentInfrastructure,
    @Inject(XS_METRICS) private readonly metrics: ExperimentServiceMetrics,
  ) {}

  async results(key: string, options: ResultsOptions = {}): Promise<ExperimentResultsJson> {
    const correction = (options.correction ?? 'holm') as CorrectionName;
    if (!CORRECTION_NAMES.includes(correction))
      throw new ValidationError(`correction must be one of ${CORRECTION_NAMES.join(', ')}`, { field: 'correction' });
    const alpha = options.alpha ?? 0.05;
    if (!(alpha > 0 && alpha < 0.5)) throw new ValidationError('alpha must be in (0, 0.5)', { field: 'alpha' });
    const stored = await this.infra.experiments.get(key);
    const started = process.hrtime.bigint();
    const experiment = defineExperiment({
      ...(stored.definition as unknown as ExperimentDefinition),
      version: stored.version,
    });
    const variants = experiment.variations.map((_, i) => experiment.meta?.[i]?.key ?? String(i));
    const endMs = experiment.endAt === undefined ? Infinity : Date.parse(experiment.endAt);
    const asOfMs = options.asOfMs ?? Math.min(Date.now(), endMs);

    const counts = await this.infra.experiments.exposureCounts(
      key,
      Number.isFinite(asOfMs) ? Math.floor(asOfMs) : undefined,
    );
    const n = variants.map((v) => counts.get(v) ?? 0);
    const total = n.reduce((a, b) => a + b, 0);
    const srm = total > 0 ? srmTest(n, experiment.weights) : undefined;
    for (const [i, v] of variants.entries()) this.metrics.exposedUnits.set({ experiment: key, variant: v }, n[i]);
    if (srm) this.metrics.srmPValue.set({ experiment: key }, srm.pValue);

    const perMetric: MetricResultJson[] = [];
    for (const name of experiment.metrics) {
      const metric = LEARNING_METRICS.get(name);
      if (metric === undefined) continue;
      const stats = await this.infra.experiments.metricStats(
        key,
        {
          kind: metric.kind,
          eventType: metric.eventType,
          attribute: metric.attribute,
          windowMs: Math.round(metric.windowHours * HOUR_MS),
        },
        Math.floor(asOfMs),
      );
      perMetric.push(analyzeMetric(metric, experiment, variants, stats, alpha));
    }
    const adjusted = adjustAcrossMetrics(perMetric, correction);
    this.metrics.resultsSeconds.observe({ experiment: key }, Number(process.hrtime.bigint() - started) / 1e9);
    return {
      experiment: key,
      version: stored.version,
      status: stored.status,
      as_of: new Date(asOfMs).toISOString(),
      control: variants[0],
      alpha,
      correction,
      srm: {
        counts: Object.fromEntries(variants.map((v, i) => [v, n[i]])),
        expected: Object.fromEntries(variants.map((v, i) => [v, total * experiment.weights[i]])),
        chi2: num(srm?.chi2),
        p_value: num(srm?.pValue),
        flagged: srm?.flagged ?? false,
      },
      metrics: adjusted,
    };
  }
}

function analyzeMetric(
  metric: Metric,
  experiment: Experiment,
  variants: readonly string[],
  stats: readonly VariantMetricStats[],
  alpha: number,
): MetricResultJson {
  const byVariant = new Map(stats.map((s) => [s.variant, s]));
  const rows = variants.map(
    (v) => byVariant.get(v) ?? { variant: v, n: 0, sum: 0, sumSquares: 0, sumPre: 0, sumPreSquares: 0, sumProduct: 0 },
  );
  const base = {
    metric: metric.key,
    kind: metric.kind,
    metric_type: metric.metricType,
    window_hours: metric.windowHours,
  };
  const summary = rows.map((r) => ({
    variant: r.variant,
    n: r.n,
    mean: num(r.n > 0 ? r.sum / r.n : NaN),
    variance: num(r.n > 1 ? (r.sumSquares - (r.sum * r.sum) / r.n) / (r.n - 1) : NaN),
  }));
  const thin = rows.filter((r) => r.n < 2).map((r) => r.variant);
  if (thin.length > 0)
    return {
      ...base,
      variants: summary,
      comparisons: [],
      note: `fewer than 2 units with a value in ${thin.join(', ')}`,
    };
  let analysis: ExperimentAnalysis;
  const cuped = metric.kind !== 'mean';
  try {
    analysis = analyzeExperiment(
      rows.map((r) => ({ name: r.variant, stats: r })),
      { control: variants[0], metricType: metric.metricType, weights: experiment.weights, alpha, cuped },
    );
  } catch (err) {
    // CUPED is undefined when the covariate has no variance (nobody had the event before exposure).
    if (!cuped) throw err;
    analysis = analyzeExperiment(
      rows.map((r) => ({ name: r.variant, stats: r })),
      { control: variants[0], metricType: metric.metricType, weights: experiment.weights, alpha },
    );
  }
  return {
    ...base,
    variants: analysis.variants.map((v) => ({ variant: v.name, n: v.n, mean: num(v.mean), variance: num(v.variance) })),
    comparisons: analysis.comparisons.map((c): ComparisonJson => ({
      variant: c.variant,
      control: c.control,
      test: c.test,
      difference: num(c.difference),
      ci_low: num(c.ciLow),
      ci_high: num(c.ciHigh),
      relative_lift: num(c.relativeLift),
      relative_ci_low: num(c.relativeCiLow),
      relative_ci_high: num(c.relativeCiHigh),
      p_value: num(c.pValue),
      p_value_adjusted: num(c.pValue),
      sequential: {
        ci_low: num(c.sequential.ciLow),
        ci_high: num(c.sequential.ciHigh),
        p_value: num(c.sequential.pValue),
      },
      cuped: c.cuped
        ? {
            theta: num(c.cuped.theta),
            difference: num(c.cuped.difference),
            ci_low: num(c.cuped.ciLow),
            ci_high: num(c.cuped.ciHigh),
            p_value: num(c.cuped.pValue),
          }
        : null,
    })),
  };
}

/** The correction over every defined p-value of every metric's comparisons (one family). */
function adjustAcrossMetrics(metrics: readonly MetricResultJson[], correction: CorrectionName): MetricResultJson[] {
  const slots: { m: number; c: number; p: number }[] = [];
  metrics.forEach((m, i) =>
    m.comparisons.forEach((c, j) => {
      if (c.p_value !== null) slots.push({ m: i, c: j, p: c.p_value });
    }),
  );
  const adjusted = slots.length > 0 ? CORRECTIONS[correction](slots.map((s) => s.p)) : [];
  const out = metrics.map((m) => ({
    ...m,
    comparisons: m.comparisons.map((c) => ({ ...c, p_value_adjusted: null as Num })),
  }));
  slots.forEach((s, k) => ((out[s.m].comparisons[s.c] as { p_value_adjusted: Num }).p_value_adjusted = adjusted[k]));
  return out;
}

function num(x: number | undefined): Num {
  return x !== undefined && Number.isFinite(x) ? x : null;
}
