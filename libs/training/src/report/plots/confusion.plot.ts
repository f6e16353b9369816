// Confusion matrix as a heat-map, K×K for any classification task. A cell's shade is its share of
// the actual class's row (that class's recall on the diagonal), so rare classes stay readable.
import type { ConfusionTable } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, formatShare, isFiniteNumber } from '../html-text.helper';
import { DATA_MARK, Frame, px, svgOpen } from './svg.helper';

const LABEL_CHARS = 14;

export function confusionPlot(confusion: ConfusionTable): string {
  const k = confusion.labels.length;
  const cell = Math.max(18, Math.min(64, Math.floor(420 / Math.max(k, 1))));
  const left = 120;
  const top = 40;
  const frame: Frame = { width: left + k * cell + 16, height: top + k * cell + 12, left, right: 16, top, bottom: 12 };
  const labels = confusion.labels.map((l) => short(l));
  const parts = [svgOpen('confusion', frame, `Confusion matrix (${k} classes)`)];
  parts.push(
    `<text class="label" x="${px(left + (k * cell) / 2)}" y="14" text-anchor="middle">predicted</text>`,
    `<text class="label" transform="translate(14 ${px(top + (k * cell) / 2)}) rotate(-90)" text-anchor="middle">actual</text>`,
  );
  labels.forEach((label, i) => {
    const centre = px(left + i * cell + cell / 2);
    parts.push(
      `<text class="tick" x="${centre}" y="${px(top - 6)}" text-anchor="middle">${label}</text>`,
      `<text class="tick" x="${px(left - 6)}" y="${px(top + i * cell + cell / 2 + 4)}" text-anchor="end">${label}</text>`,
    );
  });
  for (let a = 0; a < k; a++) {
    const row = confusion.labels.map((_, p) => confusion.matrix[a]?.[p]);
    const total = row.reduce<number>((sum, v) => sum + (isFiniteNumber(v) ? v : 0), 0);
    row.forEach((value, p) => {
      const share = isFiniteNumber(value) && total > 0 ? value / total : 0;
      const [x, y] = [left + p * cell, top + a * cell];
      const tip = `actual ${confusion.labels[a]}, predicted ${confusion.labels[p]}: ${formatNumber(value)} (${formatShare(value ?? NaN, total)} of the row)`;
      parts.push(
        `<rect class="${DATA_MARK} cell${a === p ? ' diagonal' : ''}" x="${px(x)}" y="${px(y)}" width="${px(cell)}" height="${px(cell)}" fill="${shade(share)}"><title>${escapeHtml(tip)}</title></rect>`,
      );
      if (cell >= 28) {
        parts.push(
          `<text class="count${share > 0.55 ? ' on-dark' : ''}" x="${px(x + cell / 2)}" y="${px(y + cell / 2 + 4)}" text-anchor="middle">${formatNumber(value)}</text>`,
        );
      }
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

/** White to a deep blue, by share 0..1. */
function shade(share: number): string {
  const mix = (from: number, to: number) => Math.round(from + (to - from) * share);
  const [r, g, b] = [mix(247, 23), mix(251, 74), mix(255, 140)];
  return `rgb(${r},${g},${b})`;
}

function short(label: string): string {
  return escapeHtml(label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label);
}
