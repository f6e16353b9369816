// Precision–recall curve of a binary model, with the no-skill line at the positive rate when known.
import type { PrCurve } from '../../evaluate/evaluation.types';
import { isFiniteNumber } from '../html-text.helper';
import { MAX_CURVE_MARKERS } from './roc.plot';
import {
  clamp01,
  curve,
  finitePairs,
  markers,
  noData,
  referenceLine,
  svgOpen,
  thin,
  UNIT_FRAME,
  unitAxes,
} from './svg.helper';

/** `prevalence`: the share of positives, where a model that ranks at random sits. */
export function prPlot(pr: PrCurve, prevalence?: number | null): string {
  const points = finitePairs(pr.recall, pr.precision);
  const frame = UNIT_FRAME;
  const base = isFiniteNumber(prevalence) ? clamp01(prevalence) : null;
  return [
    svgOpen('pr', frame, 'Precision–recall curve'),
    unitAxes(frame, 'recall', 'precision'),
    base === null ? '' : referenceLine(frame, [0, base], [1, base]),
    points.length === 0
      ? noData(frame)
      : curve(frame, points, 'pr') + markers(frame, thin(points, MAX_CURVE_MARKERS), 'pr', 1.8),
    '</svg>',
  ].join('');
}
