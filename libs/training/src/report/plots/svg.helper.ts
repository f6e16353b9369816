// Small SVG building blocks the plots share: the plot frame, unit-square axes with ticks, and point
// clean-up. Coordinates are rounded to 0.01 px so the same input always gives the same bytes.
import { escapeHtml, isFiniteNumber } from '../html-text.helper';

export type PlotName = 'roc' | 'pr' | 'calibration' | 'confusion' | 'importance';

/** The class a test looks for on every element that draws data (not axes, grid or labels). */
export const DATA_MARK = 'data-mark';

export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** The frame of the three unit-square plots (ROC, PR, calibration). */
export const UNIT_FRAME: Frame = { width: 340, height: 320, left: 52, right: 14, top: 14, bottom: 44 };

export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Maps [0, 1] × [0, 1] onto the frame's plotting area (y grows upwards). */
export function unitScale(frame: Frame): (x: number, y: number) => [number, number] {
  const w = frame.width - frame.left - frame.right;
  const h = frame.height - frame.top - frame.bottom;
  return (x, y) => [frame.left + x * w, frame.top + (1 - y) * h];
}

export function svgOpen(plot: PlotName, frame: Frame, title: string): string {
  return (
    `<svg data-plot="${plot}" xmlns="http://www.w3.org/2000/svg" width="${px(frame.width)}" height="${px(frame.height)}" ` +
    `viewBox="0 0 ${px(frame.width)} ${px(frame.height)}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>`
  );
}

/** Gridlines, 0–1 ticks every 0.2, and the axis titles of a unit-square plot. */
export function unitAxes(frame: Frame, xLabel: string, yLabel: string): string {
  const at = unitScale(frame);
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const t = i / 5;
    const [x0, y0] = at(t, 0);
    const [, y1] = at(0, 1);
    const [xl, yt] = at(0, t);
    const [xr] = at(1, t);
    parts.push(
      `<line class="grid" x1="${px(x0)}" y1="${px(y0)}" x2="${px(x0)}" y2="${px(y1)}"/>`,
      `<line class="grid" x1="${px(xl)}" y1="${px(yt)}" x2="${px(xr)}" y2="${px(yt)}"/>`,
      `<text class="tick" x="${px(x0)}" y="${px(y0 + 14)}" text-anchor="middle">${t.toFixed(1)}</text>`,
      `<text class="tick" x="${px(xl - 6)}" y="${px(yt + 4)}" text-anchor="end">${t.toFixed(1)}</text>`,
    );
  }
  const [x0, y0] = at(0, 0);
  const [x1, y1] = at(1, 1);
  parts.push(
    `<rect class="axis" x="${px(x0)}" y="${px(y1)}" width="${px(x1 - x0)}" height="${px(y0 - y1)}" fill="none"/>`,
    `<text class="label" x="${px((x0 + x1) / 2)}" y="${px(frame.height - 8)}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text class="label" transform="translate(14 ${px((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  return parts.join('');
}

/** A dashed reference line (chance, perfect calibration) in unit coordinates; not a data mark. */
export function referenceLine(frame: Frame, from: [number, number], to: [number, number]): string {
  const at = unitScale(frame);
  const [x1, y1] = at(...from);
  const [x2, y2] = at(...to);
  return `<line class="reference" x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}"/>`;
}

/** Centred "no data" note for a plot whose input held no finite point. */
export function noData(frame: Frame): string {
  return `<text class="empty" x="${px(frame.width / 2)}" y="${px(frame.height / 2)}" text-anchor="middle">no data</text>`;
}

/** Pairs two series, keeping pairs where both are finite; a longer series' tail is ignored. */
export function finitePairs(xs: readonly number[], ys: readonly number[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    if (isFiniteNumber(xs[i]) && isFiniteNumber(ys[i])) pairs.push([clamp01(xs[i]), clamp01(ys[i])]);
  }
  return pairs;
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

// A curve with one point per threshold can hold tens of thousands; markers for every point would
// bloat the page without showing more, so at most `max` are kept, evenly spaced, the last included.
export function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}

/** A curve through unit-square points as a polyline data mark. */
export function curve(frame: Frame, points: readonly [number, number][], cls: string): string {
  const at = unitScale(frame);
  const coords = points.map(([x, y]) => at(x, y).map(px).join(',')).join(' ');
  return `<polyline class="${DATA_MARK} ${cls}" fill="none" points="${coords}"/>`;
}

/** One circle data mark per point, with its coordinates as a tooltip. */
export function markers(frame: Frame, points: readonly [number, number][], cls: string, radius = 2): string {
  const at = unitScale(frame);
  return points
    .map(([x, y]) => {
      const [cx, cy] = at(x, y);
      return `<circle class="${DATA_MARK} ${cls}" cx="${px(cx)}" cy="${px(cy)}" r="${px(radius)}"><title>${x.toFixed(3)}, ${y.toFixed(3)}</title></circle>`;
    })
    .join('');
}
