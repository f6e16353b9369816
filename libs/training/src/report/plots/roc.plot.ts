// ROC curve of a binary model: the curve, a marker per (thinned) threshold, and the chance diagonal.
import type { RocCurve } from '../../evaluate/evaluation.types';
import { curve, finitePairs, markers, noData, referenceLine, svgOpen, thin, UNIT_FRAME, unitAxes } from './svg.helper';

/** Markers drawn at most; the polyline always goes through every point. */
export const MAX_CURVE_MARKERS = 250;

export function rocPlot(roc: RocCurve): string {
  const points = finitePairs(roc.fpr, roc.tpr);
  const frame = UNIT_FRAME;
  return [
    svgOpen('roc', frame, 'ROC curve'),
    unitAxes(frame, 'false-positive rate', 'true-positive rate'),
    referenceLine(frame, [0, 0], [1, 1]),
    points.length === 0
      ? noData(frame)
      : curve(frame, points, 'roc') + markers(frame, thin(points, MAX_CURVE_MARKERS), 'roc', 1.8),
    '</svg>',
  ].join('');
}
