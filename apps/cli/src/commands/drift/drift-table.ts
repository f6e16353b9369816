// The readable form of a drift report: one line per column, numbers to 4 significant digits.
import type { DriftReport } from './drift-report';

const HEADER = [
  'column',
  'type',
  'rows ref/cur',
  'missing',
  'psi',
  'js',
  'ks',
  'ks p',
  'wasserstein',
  'chi2',
  'chi2 p',
  'decided by',
  'drifted',
];

export function formatNumber(x: number | undefined): string {
  if (x === undefined) return '-';
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e-4 && abs < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

const TEST_LABEL: Record<string, string> = {
  ks: 'ks p <= 0.05',
  wasserstein: 'wasserstein >= 0.1',
  chi2: 'chi2 p < 0.05',
  z: 'z-test p < 0.05',
  js: 'js >= 0.1',
};

export function formatDriftTable(report: DriftReport, files: { reference: string; current: string }): string {
  const rows = Object.entries(report.columns).map(([name, r]) => {
    const d = report.details[name];
    return [
      name,
      d.type,
      `${d.rows.reference}/${d.rows.current}`,
      `${d.missing.reference}/${d.missing.current}`,
      formatNumber(r.psi),
      formatNumber(r.js),
      formatNumber(r.ks?.statistic),
      formatNumber(r.ks?.p_value),
      formatNumber(r.wasserstein),
      formatNumber(r.chi2?.statistic),
      formatNumber(r.chi2?.p_value),
      `${TEST_LABEL[d.test]} (${formatNumber(d.score)})`,
      r.drifted ? 'yes' : 'no',
    ];
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const { columns, drifted, share } = report.summary;
  const notes = Object.entries(report.details)
    .filter(([, d]) => d.categorical_because)
    .map(([name, d]) => `note: "${name}" is read as categorical: ${d.categorical_because}`);
  return [
    `drift of ${files.current} against ${files.reference}: ${drifted} of ${columns} columns drifted (${Math.round(share * 100)}%)`,
    '',
    line(HEADER),
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
