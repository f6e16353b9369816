// What `experiments analyze` prints: one JSON object (snake_case, NaN as null) or a readable table.
import type { Comparison, ExperimentAnalysis } from '@pulse/experiment-stats';

/** A number that JSON can hold; undefined statistics (NaN, ±Infinity) become null. */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

function interval(c: Comparison) {
  return { difference: num(c.difference), ci_low: num(c.ciLow), ci_high: num(c.ciHigh) };
}

export function analysisJson(a: ExperimentAnalysis) {
  return {
    metric_type: a.metricType,
    alpha: a.alpha,
    correction: a.correction,
    variants: a.variants.map((v) => ({ variant: v.name, n: v.n, mean: num(v.mean), variance: num(v.variance) })),
    srm: { chi2: num(a.srm.chi2), p_value: num(a.srm.pValue), flagged: a.srm.flagged, df: a.srm.df },
    comparisons: a.comparisons.map((c) => ({
      variant: c.variant,
      control: c.control,
      difference: num(c.difference),
      relative_lift: num(c.relativeLift),
      ci_low: num(c.ciLow),
      ci_high: num(c.ciHigh),
      p_value: num(c.pValue),
      p_value_adjusted: num(c.pValueAdjusted),
      cuped: c.cuped && {
        theta: num(c.cuped.theta),
        ...interval(c.cuped),
        p_value: num(c.cuped.pValue),
        p_value_adjusted: num(c.cuped.pValueAdjusted),
      },
      relative_ci_low: num(c.relativeCiLow),
      relative_ci_high: num(c.relativeCiHigh),
      test: c.test,
      statistic: num(c.statistic),
      df: num(c.df),
      sequential: {
        p_value: num(c.sequential.pValue),
        ci_low: num(c.sequential.ciLow),
        ci_high: num(c.sequential.ciHigh),
      },
    })),
  };
}

const TESTS = {
  proportion: 'two-proportion z-test (pooled p-value, unpooled Wald interval)',
  mean: "Welch's t-test",
};

const g = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '–');
const p = (x: number) => (!Number.isFinite(x) ? '–' : x < 1e-4 ? x.toExponential(1) : x.toFixed(4));
const int = (n: number) => n.toLocaleString('en-US');

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
}

export function formatAnalysis(a: ExperimentAnalysis): string {
  const level = `${g((1 - a.alpha) * 100)}%`;
  const lines = [
    `metric: ${a.metricType}, ${TESTS[a.metricType]}; alpha ${a.alpha} (${level} intervals); correction: ${a.correction}`,
    '',
    ...table([
      ['variant', 'units', 'mean', 'variance'],
      ...a.variants.map((v) => [v.name, int(v.n), g(v.mean, 6), g(v.variance, 6)]),
    ]),
    '',
    `sample ratio: chi² ${g(a.srm.chi2)}, p = ${p(a.srm.pValue)} — ${
      a.srm.flagged
        ? 'MISMATCH (p < 0.001): the units did not arrive in the planned shares; check assignment before reading results'
        : 'ok'
    }`,
    '',
    ...table([
      ['vs control', 'difference', `${level} CI`, 'lift', 'lift CI', 'p', 'p adjusted', 'p sequential'],
      ...a.comparisons.map((c) => [
        `${c.variant} vs ${c.control}`,
        g(c.difference),
        `[${g(c.ciLow)}, ${g(c.ciHigh)}]`,
        pct(c.relativeLift),
        `[${pct(c.relativeCiLow)}, ${pct(c.relativeCiHigh)}]`,
        p(c.pValue),
        p(c.pValueAdjusted),
        p(c.sequential.pValue),
      ]),
    ]),
  ];
  if (a.comparisons.some((c) => c.cuped)) {
    lines.push(
      '',
      `CUPED (theta ${g(a.comparisons[0].cuped!.theta)}, Welch on adjusted values):`,
      ...table([
        ['vs control', 'difference', `${level} CI`, 'p', 'p adjusted'],
        ...a.comparisons.map((c) => [
          `${c.variant} vs ${c.control}`,
          g(c.cuped!.difference),
          `[${g(c.cuped!.ciLow)}, ${g(c.cuped!.ciHigh)}]`,
          p(c.cuped!.pValue),
          p(c.cuped!.pValueAdjusted),
        ]),
      ]),
    );
  }
  return lines.join('\n');
}
