import { calibrationPlot } from './calibration.plot';
import { confusionPlot } from './confusion.plot';
import { importancePlot, TOP_FEATURES } from './importance.plot';
import { prPlot } from './pr.plot';
import { MAX_CURVE_MARKERS, rocPlot } from './roc.plot';

const marks = (svg: string, tag?: string) =>
  (svg.match(new RegExp(`<${tag ?? '\\w+'} class="data-mark[ "]`, 'g')) ?? []).length;

const unit = (n: number) => Array.from({ length: n }, (_, i) => i / (n - 1));

describe('report plots', () => {
  it('ROC: one polyline through the points and a marker per point', () => {
    const svg = rocPlot({ fpr: unit(40), tpr: unit(40).map((x) => Math.sqrt(x)) });
    expect(svg).toMatch(/^<svg data-plot="roc"/);
    expect(marks(svg, 'polyline')).toBe(1);
    expect(marks(svg, 'circle')).toBe(40);
    expect(svg.match(/<polyline[^>]*points="([^"]*)"/)![1].split(' ')).toHaveLength(40);
  });

  it('ROC: thins markers of a long curve to an even subset, the polyline keeps every point', () => {
    const svg = rocPlot({ fpr: unit(5000), tpr: unit(5000) });
    expect(marks(svg, 'circle')).toBe(MAX_CURVE_MARKERS);
    expect(svg.match(/<polyline[^>]*points="([^"]*)"/)![1].split(' ')).toHaveLength(5000);
  });

  it('PR: marks per point and the no-skill line at the prevalence', () => {
    const svg = prPlot({ recall: unit(12), precision: unit(12).map((r) => 1 - r / 2) }, 0.25);
    expect(svg).toMatch(/^<svg data-plot="pr"/);
    expect(marks(svg)).toBe(13);
    expect(svg).toContain('class="reference"');
    expect(prPlot({ recall: [0, 1], precision: [1, 0.5] }, null)).not.toContain('class="reference"');
  });

  it('calibration: a circle per bin, sized by count, and the diagonal', () => {
    const svg = calibrationPlot({
      meanPredicted: [0.1, 0.5, 0.9],
      fractionPositive: [0.12, 0.45, 0.8],
      count: [10, 40, 0],
    });
    expect(svg).toMatch(/^<svg data-plot="calibration"/);
    expect(marks(svg, 'circle')).toBe(3);
    expect(marks(svg, 'polyline')).toBe(1);
    const radii = [...svg.matchAll(/<circle[^>]* r="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(radii[1]).toBeGreaterThan(radii[0]);
    expect(radii[2]).toBe(1.5);
    expect(svg).toContain('class="reference"');
  });

  it('confusion: K×K cells for K classes', () => {
    for (const k of [2, 3, 7]) {
      const labels = Array.from({ length: k }, (_, i) => `c${i}`);
      const matrix = labels.map((_, a) => labels.map((_, p) => (a === p ? 50 : 5)));
      const svg = confusionPlot({ labels, matrix });
      expect(svg).toMatch(/^<svg data-plot="confusion"/);
      expect(marks(svg, 'rect')).toBe(k * k);
    }
  });

  it('importance: two bars per feature, top 20 by gain', () => {
    const importance = Array.from({ length: 30 }, (_, i) => ({
      feature: `f${i}`,
      gain: i / 100,
      meanAbsShap: 1 / (i + 1),
    }));
    const svg = importancePlot(importance);
    expect(svg).toMatch(/^<svg data-plot="importance"/);
    expect(marks(svg, 'rect')).toBe(2 * TOP_FEATURES);
    expect(svg).toContain('>f29<');
    expect(svg).not.toContain('>f9<');
    expect(marks(importancePlot(importance.slice(0, 3)), 'rect')).toBe(6);
  });

  it('drop NaN and infinite points, and say "no data" when none is left', () => {
    const svg = rocPlot({ fpr: [0, NaN, 0.5, 1, Infinity], tpr: [0, 0.3, NaN, 1, 1] });
    expect(marks(svg, 'circle')).toBe(2);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const empty = rocPlot({ fpr: [NaN], tpr: [NaN] });
    expect(marks(empty)).toBe(0);
    expect(empty).toContain('no data');
    const calibration = calibrationPlot({ meanPredicted: [0.2, NaN], fractionPositive: [0.1, 0.4], count: [NaN, 5] });
    expect(marks(calibration, 'circle')).toBe(1);
    expect(calibration).toContain('n = –');
    const bars = importancePlot([{ feature: 'a', gain: NaN, meanAbsShap: 0.2 }]);
    expect(bars).not.toMatch(/NaN/);
    expect(bars).toContain('gain share –');
    expect(importancePlot([])).toContain('no data');
    expect(
      confusionPlot({
        labels: ['a', 'b'],
        matrix: [
          [1, NaN],
          [0, 0],
        ],
      }),
    ).not.toMatch(/NaN/);
  });
});
