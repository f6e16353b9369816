// Reliability plot: observed positive rate against mean predicted probability per bin, the diagonal
// being perfect calibration; a bin's circle area grows with its count so sparse bins read as such.
import type { CalibrationCurve } from '../../evaluate/evaluation.types';
import { formatNumber, isFiniteNumber } from '../html-text.helper';
import {
  clamp01,
  curve,
  DATA_MARK,
  noData,
  px,
  referenceLine,
  svgOpen,
  UNIT_FRAME,
  unitAxes,
  unitScale,
} from './svg.helper';

interface Bin {
  readonly predicted: number;
  readonly observed: number;
  readonly count: number | null;
}

export function calibrationPlot(calibration: CalibrationCurve): string {
  const bins = finiteBins(calibration);
  const frame = UNIT_FRAME;
  const at = unitScale(frame);
  const maxCount = Math.max(0, ...bins.map((b) => b.count ?? 0));
  const circles = bins.map((b) => {
    const [cx, cy] = at(b.predicted, b.observed);
    const r = b.count === null || maxCount === 0 ? 1.5 : 1.5 + 3.5 * Math.sqrt(b.count / maxCount);
    const count = formatNumber(b.count);
    return (
      `<circle class="${DATA_MARK} calibration" cx="${px(cx)}" cy="${px(cy)}" r="${px(r)}">` +
      `<title>predicted ${b.predicted.toFixed(3)}, observed ${b.observed.toFixed(3)}, n = ${count}</title></circle>`
    );
  });
  return [
    svgOpen('calibration', frame, 'Calibration (reliability) plot'),
    unitAxes(frame, 'mean predicted probability', 'observed positive rate'),
    referenceLine(frame, [0, 0], [1, 1]),
    bins.length === 0
      ? noData(frame)
      : curve(
          frame,
          bins.map((b) => [b.predicted, b.observed]),
          'calibration',
        ) + circles.join(''),
    '</svg>',
  ].join('');
}

function finiteBins(c: CalibrationCurve): Bin[] {
  const bins: Bin[] = [];
  for (let i = 0; i < Math.min(c.meanPredicted.length, c.fractionPositive.length); i++) {
    const [p, o, n] = [c.meanPredicted[i], c.fractionPositive[i], c.count[i]];
    if (!isFiniteNumber(p) || !isFiniteNumber(o)) continue;
    bins.push({ predicted: clamp01(p), observed: clamp01(o), count: isFiniteNumber(n) && n >= 0 ? n : null });
  }
  return bins;
}
