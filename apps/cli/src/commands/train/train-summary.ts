import type { Evaluation, GateVerdict } from '@pulse/training';

/** The `--json` answer of `pulse train`: one object, the same whether trained here or by the service. */
export interface TrainSummary {
  readonly model: string;
  readonly task: string;
  readonly version: number | null;
  readonly alias: string | null;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly class_balance: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Record<string, number>>;
  /** The baseline's name and its values of the same metrics. */
  readonly baseline: Readonly<Record<string, number | string>>;
  readonly oracle: { readonly auc: number; readonly model_auc: number; readonly matched: number } | null;
  readonly gates: readonly { name: string; passed: boolean; value: number | null; threshold: number; detail: string }[];
  readonly gates_passed: boolean;
  readonly content_sha256: string | null;
  readonly report: string | null;
}

export function summarize(
  model: string,
  evaluation: Evaluation,
  gates: readonly GateVerdict[],
  extra: { version: number | null; alias: string | null; contentSha256: string | null; report: string | null },
): TrainSummary {
  return {
    model,
    task: evaluation.task,
    version: extra.version,
    alias: extra.alias,
    rows: evaluation.rows,
    class_balance: evaluation.classBalance,
    metrics: evaluation.metrics,
    baseline: { name: evaluation.baseline.name, ...evaluation.baseline.metrics },
    oracle: evaluation.oracle
      ? { auc: evaluation.oracle.auc, model_auc: evaluation.oracle.modelAuc, matched: evaluation.oracle.matched }
      : null,
    gates: gates.map((g) => ({
      name: g.name,
      passed: g.passed,
      value: g.value,
      threshold: g.threshold,
      detail: g.detail,
    })),
    gates_passed: gates.every((g) => g.name === 'champion' || g.passed),
    content_sha256: extra.contentSha256,
    report: extra.report,
  };
}

/** Metrics in reading order (the registry's JSON keeps its own); others follow alphabetically. */
const METRIC_ORDER = ['auc', 'pr_auc', 'logloss', 'brier', 'ece', 'accuracy', 'macro_f1', 'mlogloss', 'positive_rate'];
const rank = (m: string) => (METRIC_ORDER.includes(m) ? METRIC_ORDER.indexOf(m) : METRIC_ORDER.length);

const f4 = (v: number | string | undefined) => (typeof v === 'number' ? v.toFixed(4) : (v ?? '–'));

/** The human-readable form: metrics next to the baseline and oracle, then each gate's verdict. */
export function formatSummary(s: TrainSummary): string {
  const lines = [
    `${s.model} (${s.task})${s.version !== null ? ` v${s.version}` : ''}${s.alias ? ` → ${s.alias}` : ''}`,
    `rows: train ${s.rows.train}, validation ${s.rows.validation}, test ${s.rows.test}; classes ${Object.entries(
      s.class_balance,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    `${'metric'.padEnd(14)}${'model'.padStart(10)}${'baseline'.padStart(10)}${s.oracle ? 'oracle'.padStart(10) : ''}`,
  ];
  const ordered = Object.entries(s.metrics).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  for (const [name, value] of ordered) {
    const oracle = s.oracle && name === 'auc' ? f4(s.oracle.auc).padStart(10) : '';
    lines.push(`${name.padEnd(14)}${f4(value).padStart(10)}${f4(s.baseline[name]).padStart(10)}${oracle}`);
  }
  lines.push(`baseline: ${s.baseline.name}`);
  if (s.oracle)
    lines.push(`oracle: ${s.oracle.matched} test examples matched; the model's AUC on them ${f4(s.oracle.model_auc)}`);
  lines.push('', 'gates:');
  for (const g of s.gates) lines.push(`  ${g.passed ? 'PASS' : 'FAIL'}  ${g.name}: ${g.detail}`);
  if (s.report) lines.push('', `report: ${s.report}`);
  return lines.join('\n');
}
