// What the model was trained and tested on: rows per time split and the class balance.
import type { Evaluation } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, formatShare, isFiniteNumber, MISSING } from '../html-text.helper';

export function dataSection(evaluation: Evaluation): string {
  const splits: [string, number][] = [
    ['train', evaluation.rows.train],
    ['validation', evaluation.rows.validation],
    ['test', evaluation.rows.test],
  ];
  const balance = Object.entries(evaluation.classBalance);
  return (
    '<section id="data"><h2>Data</h2><div class="side-by-side">' +
    shareTable('split', splits) +
    (balance.length === 0 ? `<p>class balance: ${MISSING}</p>` : shareTable('class', balance)) +
    '</div></section>'
  );
}

function shareTable(what: string, entries: readonly [string, number][]): string {
  const total = entries.reduce((sum, [, n]) => sum + (isFiniteNumber(n) ? n : 0), 0);
  const rows = entries.map(([name, n]) => {
    const share = formatShare(n, total);
    const bar = share === MISSING ? '' : `<span class="share-bar" style="width:${share}"></span>`;
    return `<tr><th>${escapeHtml(name)}</th><td>${formatNumber(n)}</td><td class="share">${bar}${share}</td></tr>`;
  });
  return (
    `<table class="numbers"><thead><tr><th>${what}</th><th>rows</th><th>share</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody><tfoot><tr><th>total</th><td>${formatNumber(total)}</td><td></td></tr></tfoot></table>`
  );
}
