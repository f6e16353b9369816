import type { ComparisonJson, ExperimentResultsJson, Num } from './results.types';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fmt = (x: Num, digits = 4) => (x === null ? '–' : Number(x.toPrecision(digits)).toString());
const pct = (x: Num) => (x === null ? '–' : `${(x * 100).toFixed(2)} %`);

const WIDTH = 520;
const ROW = 34;

/**
 * Relative lift with its interval per comparison, on a shared axis with zero marked: the fixed
 * interval (solid), the always-valid sequential one (faint), and CUPED's (dashed) when there is one.
 */
function intervalPlot(comparisons: readonly ComparisonJson[], controlMean: Num): string {
  const rel = (x: Num) => (x === null || controlMean === null || controlMean === 0 ? null : x / controlMean);
  const bars = comparisons.map((c) => ({
    label: c.variant,
    fixed: [c.relative_ci_low, c.relative_ci_high, c.relative_lift] as const,
    sequential: [rel(c.sequential.ci_low), rel(c.sequential.ci_high)] as const,
    cuped: c.cuped ? ([rel(c.cuped.ci_low), rel(c.cuped.ci_high)] as const) : null,
  }));
  const values = bars
    .flatMap((b) => [...b.fixed, ...b.sequential, ...(b.cuped ?? [])])
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const span = Math.max(0.01, ...values.map(Math.abs)) * 1.1;
  const x = (v: number) => 90 + ((v + span) / (2 * span)) * (WIDTH - 110);
  const height = bars.length * ROW + 30;
  const line = (lo: Num, hi: Num, y: number, style: string) =>
    lo === null || hi === null ? '' : `<line x1="${x(lo)}" x2="${x(hi)}" y1="${y}" y2="${y}" ${style}/>`;
  const rows = bars
    .map((b, i) => {
      const y = 20 + i * ROW;
      return [
        `<text x="4" y="${y + 4}" font-size="12">${esc(b.label)}</text>`,
        line(b.sequential[0], b.sequential[1], y - 7, 'stroke="#9bb" stroke-width="3"'),
        line(b.fixed[0], b.fixed[1], y, 'stroke="#246" stroke-width="4"'),
        b.cuped ? line(b.cuped[0], b.cuped[1], y + 7, 'stroke="#a52" stroke-width="3" stroke-dasharray="4 2"') : '',
        b.fixed[2] === null ? '' : `<circle cx="${x(b.fixed[2])}" cy="${y}" r="4" fill="#000"/>`,
      ].join('');
    })
    .join('');
  return `<svg width="${WIDTH}" height="${height}" role="img" aria-label="relative lift intervals">
<line x1="${x(0)}" x2="${x(0)}" y1="0" y2="${height - 18}" stroke="#888"/>
${rows}
<text x="${x(-span)}" y="${height - 4}" font-size="11">${pct(-span)}</text>
<text x="${x(0) - 4}" y="${height - 4}" font-size="11">0</text>
<text x="${x(span) - 40}" y="${height - 4}" font-size="11">${pct(span)}</text></svg>`;
}

/** The results as a page a person reads: SRM, then per metric the variants, comparisons and interval plot. */
export function renderResultsHtml(r: ExperimentResultsJson): string {
  const srm = r.srm.flagged
    ? `<p class="bad">Sample ratio mismatch: p = ${fmt(r.srm.p_value)} &lt; 0.001. The split is not the one planned; the results below are not trustworthy.</p>`
    : `<p>Sample ratio: p = ${fmt(r.srm.p_value)} (no mismatch flagged).</p>`;
  const counts = Object.entries(r.srm.counts)
    .map(([v, n]) => `<tr><td>${esc(v)}</td><td>${n}</td><td>${fmt(r.srm.expected[v] ?? null, 6)}</td></tr>`)
    .join('');
  const metrics = r.metrics
    .map((m) => {
      const control = m.variants.find((v) => v.variant === r.control)?.mean ?? null;
      const variants = m.variants
        .map(
          (v) => `<tr><td>${esc(v.variant)}</td><td>${v.n}</td><td>${fmt(v.mean)}</td><td>${fmt(v.variance)}</td></tr>`,
        )
        .join('');
      const comparisons = m.comparisons
        .map(
          (c) =>
            `<tr><td>${esc(c.variant)}</td><td>${fmt(c.difference)} [${fmt(c.ci_low)}, ${fmt(c.ci_high)}]</td>` +
            `<td>${pct(c.relative_lift)} [${pct(c.relative_ci_low)}, ${pct(c.relative_ci_high)}]</td>` +
            `<td>${fmt(c.p_value)}</td><td>${fmt(c.p_value_adjusted)}</td><td>${fmt(c.sequential.p_value)}</td>` +
            `<td>${c.cuped ? `${fmt(c.cuped.difference)} [${fmt(c.cuped.ci_low)}, ${fmt(c.cuped.ci_high)}], p ${fmt(c.cuped.p_value)}` : '–'}</td></tr>`,
        )
        .join('');
      return `<section><h2>${esc(m.metric)} <small>(${esc(m.kind)}, ${m.window_hours} h)</small></h2>
<table><tr><th>variant</th><th>units</th><th>mean</th><th>variance</th></tr>${variants}</table>
${
  m.note
    ? `<p>${esc(m.note)}</p>`
    : `<table><tr><th>variant</th><th>difference [CI]</th><th>relative lift [CI]</th><th>p</th><th>p adjusted (${esc(r.correction)})</th><th>p always-valid</th><th>CUPED</th></tr>${comparisons}</table>
${intervalPlot(m.comparisons, control)}`
}</section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.experiment)} results</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:64rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}.bad{color:#a00;font-weight:bold}</style></head>
<body><h1>${esc(r.experiment)} <small>v${r.version}, ${esc(r.status)}</small></h1>
<p>As of ${esc(r.as_of)}; control ${esc(r.control)}; ${(1 - r.alpha) * 100} % intervals. Plot: relative lift, fixed interval (dark), always-valid interval (light), CUPED (dashed).</p>
${srm}<table><tr><th>variant</th><th>units</th><th>expected</th></tr>${counts}</table>
${metrics || '<p>No metrics to analyse.</p>'}</body></html>`;
}
