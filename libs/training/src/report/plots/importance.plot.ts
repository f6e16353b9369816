// Feature importance as two bar panels sharing the feature labels: gain share and mean |SHAP| (their
// units differ, so each panel has its own scale). Top features by gain, then |SHAP|, then name.
import type { FeatureImportanceEntry } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, isFiniteNumber } from '../html-text.helper';
import { DATA_MARK, Frame, noData, px, svgOpen } from './svg.helper';

export const TOP_FEATURES = 20;
const ROW = 20;
const LABEL_WIDTH = 230;
const PANEL = 250;
const GAP = 70;
const LABEL_CHARS = 34;

export function importancePlot(importance: readonly FeatureImportanceEntry[]): string {
  const top = topFeatures(importance);
  const frame: Frame = {
    width: LABEL_WIDTH + 2 * PANEL + GAP + 16,
    height: 40 + Math.max(top.length, 1) * ROW + 10,
    left: LABEL_WIDTH,
    right: 16,
    top: 40,
    bottom: 10,
  };
  const parts = [svgOpen('importance', frame, `Feature importance (top ${top.length})`)];
  if (top.length === 0) parts.push(noData(frame));
  const panels = [
    { key: 'gain' as const, title: 'gain share', x: LABEL_WIDTH },
    { key: 'meanAbsShap' as const, title: 'mean |SHAP|', x: LABEL_WIDTH + PANEL + GAP },
  ];
  for (const panel of panels) {
    const max = Math.max(0, ...top.map((f) => (isFiniteNumber(f[panel.key]) ? f[panel.key] : 0)));
    parts.push(`<text class="label" x="${px(panel.x)}" y="20">${panel.title} (max ${formatNumber(max, 4)})</text>`);
    top.forEach((f, i) => {
      const value = f[panel.key];
      const width = isFiniteNumber(value) && value > 0 && max > 0 ? (PANEL * value) / max : 0;
      const y = frame.top + i * ROW + 3;
      parts.push(
        `<rect class="${DATA_MARK} bar ${panel.key === 'gain' ? 'gain' : 'shap'}" x="${px(panel.x)}" y="${px(y)}" width="${px(width)}" height="${ROW - 6}">` +
          `<title>${escapeHtml(f.feature)}: ${panel.title} ${formatNumber(value, 4)}</title></rect>`,
        `<text class="tick" x="${px(panel.x + width + 4)}" y="${px(y + ROW - 9)}">${formatNumber(value, 3)}</text>`,
      );
    });
  }
  top.forEach((f, i) => {
    const name = f.feature.length > LABEL_CHARS ? `${f.feature.slice(0, LABEL_CHARS - 1)}…` : f.feature;
    parts.push(
      `<text class="tick" x="${px(LABEL_WIDTH - 8)}" y="${px(frame.top + i * ROW + ROW - 6)}" text-anchor="end">${escapeHtml(name)}<title>${escapeHtml(f.feature)}</title></text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The features drawn, in order: highest gain first; NaN sorts last. */
export function topFeatures(importance: readonly FeatureImportanceEntry[]): FeatureImportanceEntry[] {
  const key = (v: number) => (isFiniteNumber(v) ? v : -Infinity);
  return [...importance]
    .sort((a, b) => key(b.gain) - key(a.gain) || key(b.meanAbsShap) - key(a.meanAbsShap) || cmp(a.feature, b.feature))
    .slice(0, TOP_FEATURES);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
