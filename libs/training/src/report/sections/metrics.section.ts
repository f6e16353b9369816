// Headline test metrics beside the baseline's, and the oracle's AUC when an oracle file was given:
// a model is only as good as its margin over the trivial learner and its gap to the simulator's truth.
import type { Evaluation } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, MISSING } from '../html-text.helper';

export function metricsSection(evaluation: Evaluation): string {
  const { metrics, baseline, oracle } = evaluation;
  const names = [...Object.keys(metrics), ...Object.keys(baseline.metrics).filter((m) => !(m in metrics))];
  const oracleHead = oracle ? `<th>oracle <small>(${formatNumber(oracle.matched)} matched)</small></th>` : '';
  const rows = names.map((name) => {
    const oracleCell = oracle ? `<td>${name === 'auc' ? formatNumber(oracle.auc, 4) : MISSING}</td>` : '';
    return `<tr><th>${escapeHtml(name)}</th><td>${formatNumber(metrics[name], 4)}</td><td>${formatNumber(baseline.metrics[name], 4)}</td>${oracleCell}</tr>`;
  });
  const empty = names.length === 0 ? `<tr><td colspan="${oracle ? 4 : 3}">${MISSING}</td></tr>` : '';
  return (
    '<section id="metrics"><h2>Test metrics</h2><table class="numbers"><thead><tr><th>metric</th><th>model</th>' +
    `<th>baseline <small>${escapeHtml(baseline.name)}</small></th>${oracleHead}</tr></thead>` +
    `<tbody>${rows.join('')}${empty}</tbody></table></section>`
  );
}
