// The promotion gates: each verdict with what was measured against what it had to meet.
import type { GateVerdict } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, MISSING } from '../html-text.helper';

export function gatesSection(gates: readonly GateVerdict[]): string {
  const passed = gates.filter((g) => g.passed).length;
  const rows = gates.map(
    (g) =>
      `<tr class="${g.passed ? 'pass' : 'fail'}"><th>${escapeHtml(g.name)}</th>` +
      `<td><span class="verdict">${g.passed ? 'pass' : 'fail'}</span></td>` +
      `<td>${formatNumber(g.value, 4)}</td><td>${formatNumber(g.threshold, 4)}</td><td>${escapeHtml(g.detail) || MISSING}</td></tr>`,
  );
  const empty = gates.length === 0 ? `<tr><td colspan="5">${MISSING}</td></tr>` : '';
  return (
    `<section id="gates"><h2>Gates <small>${passed} of ${gates.length} passed</small></h2>` +
    '<table><thead><tr><th>gate</th><th>verdict</th><th>value</th><th>threshold</th><th>detail</th></tr></thead>' +
    `<tbody>${rows.join('')}${empty}</tbody></table></section>`
  );
}
