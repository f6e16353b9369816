// Fairness per attribute: Fairlearn's per-group rates, then the two disparity summaries. One table
// for all attributes, one row (a data mark) per group, so a reader can compare across attributes.
import type { FairnessByAttribute, FairnessGroup } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, MISSING } from '../html-text.helper';
import { DATA_MARK } from '../plots/svg.helper';

const COLUMNS = ['group', 'count', 'selection rate', 'base rate', 'TPR', 'FPR', 'accuracy', 'AUC'];

export function fairnessSection(fairness: readonly FairnessByAttribute[]): string {
  if (fairness.length === 0)
    return `<section id="fairness"><h2>Fairness</h2><p>${MISSING} (no attribute given)</p></section>`;
  const head = `<thead><tr>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead>`;
  return (
    '<section id="fairness"><h2>Fairness</h2>' +
    `<table class="numbers" data-plot="fairness">${head}${fairness.map(attributeBody).join('')}</table></section>`
  );
}

function attributeBody(a: FairnessByAttribute): string {
  const summary =
    `<tr class="attribute"><th colspan="${COLUMNS.length}">${escapeHtml(a.attribute)} ` +
    `<small>positive class ${escapeHtml(a.positiveClass) || MISSING} · ` +
    `demographic parity difference ${formatNumber(a.demographicParityDifference)} · ` +
    `equalized-odds difference ${formatNumber(a.equalizedOddsDifference)}</small></th></tr>`;
  const rows =
    a.groups.length === 0
      ? `<tr><td colspan="${COLUMNS.length}">${MISSING}</td></tr>`
      : a.groups.map(groupRow).join('');
  return `<tbody data-attribute="${escapeHtml(a.attribute)}">${summary}${rows}</tbody>`;
}

function groupRow(g: FairnessGroup): string {
  const cells = [g.count, g.selectionRate, g.baseRate, g.truePositiveRate, g.falsePositiveRate, g.accuracy, g.auc];
  return `<tr class="${DATA_MARK}"><th>${escapeHtml(g.group) || MISSING}</th>${cells.map((v) => `<td>${formatNumber(v)}</td>`).join('')}</tr>`;
}
