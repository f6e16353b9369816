// Opens the report in headless Chromium and measures what was laid out: every plot must hold data
// marks with a real size inside its drawing, not merely markup that a string test can find.
import { checkPageInChromium } from '@pulse/testing';
import { renderTrainingReport, REPORT_CSP } from '../index';
import type { ReportInput } from '../evaluate/evaluation.types';
import { binaryReportInput, CALIBRATION_BINS, CURVE_POINTS, multiclassReportInput } from './report.fixture';

interface PlotVerdict {
  readonly marks: number;
  /** Marks that are displayed, painted, inside the viewBox and of nonzero length or area. */
  readonly drawn: number;
  readonly width: number;
  readonly height: number;
}

interface PageVerdict {
  readonly plots: Record<string, PlotVerdict>;
  readonly fairness: { rows: number; drawn: number };
  readonly scripts: number;
  readonly pwned: boolean;
  readonly hostileShownAsText: boolean;
}

// Runs in the page after load. Plain ES5 so it needs nothing from the test's toolchain.
const MEASURE = `
  var plots = {};
  document.querySelectorAll('svg[data-plot]').forEach(function (svg) {
    var vb = svg.viewBox.baseVal, box = svg.getBoundingClientRect(), marks = 0, drawn = 0;
    svg.querySelectorAll('.data-mark').forEach(function (el) {
      marks++;
      var b = el.getBBox(), cs = getComputedStyle(el), r = el.getBoundingClientRect();
      var line = el.tagName === 'polyline' || el.tagName === 'path';
      var painted = line ? cs.stroke !== 'none' && parseFloat(cs.strokeWidth) > 0 : cs.fill !== 'none';
      var shown = cs.display !== 'none' && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0;
      var size = line ? el.getTotalLength() : b.width * b.height;
      var inside = b.x >= vb.x - 1 && b.y >= vb.y - 1 && b.x + b.width <= vb.x + vb.width + 1 && b.y + b.height <= vb.y + vb.height + 1;
      if (painted && shown && size > 0 && inside && r.width + r.height > 0) drawn++;
    });
    plots[svg.getAttribute('data-plot')] = { marks: marks, drawn: drawn, width: box.width, height: box.height };
  });
  var rows = document.querySelectorAll('table[data-plot="fairness"] tr.data-mark'), drawnRows = 0;
  rows.forEach(function (tr) {
    var filled = Array.prototype.every.call(tr.cells, function (c) { return c.textContent.trim() !== ''; });
    if (tr.cells.length === 8 && filled && tr.getBoundingClientRect().height > 0) drawnRows++;
  });
  return {
    plots: plots,
    fairness: { rows: rows.length, drawn: drawnRows },
    scripts: document.scripts.length,
    pwned: window.__pulsePwned !== undefined,
    hostileShownAsText: document.body.textContent.indexOf('<img src=x onerror=') >= 0,
  };
`;

/** The report as written, then in Chromium; its CSP meta is dropped since the probe itself is a script. */
async function measure(input: ReportInput): Promise<PageVerdict> {
  const html = renderTrainingReport(input);
  const csp = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;
  expect(html).toContain(csp);
  return checkPageInChromium<PageVerdict>(html.replace(csp, ''), MEASURE, { timeoutMs: 45000 });
}

describe('training report in headless Chromium', () => {
  it('draws every binary plot with sized marks for its data, and the fairness rows', async () => {
    const page = await measure(binaryReportInput());
    const expected: Record<string, number> = {
      roc: CURVE_POINTS + 1,
      pr: CURVE_POINTS + 1,
      calibration: CALIBRATION_BINS + 1,
      confusion: 4,
      importance: 40,
    };
    expect(Object.keys(page.plots).sort()).toEqual(Object.keys(expected).sort());
    for (const [plot, marks] of Object.entries(expected)) {
      const verdict = page.plots[plot];
      expect({ plot, marks: verdict.marks }).toEqual({ plot, marks });
      // Every mark here has a nonzero value in the fixture, so every one must be drawn.
      expect({ plot, drawn: verdict.drawn }).toEqual({ plot, drawn: marks });
      expect(verdict.width).toBeGreaterThan(100);
      expect(verdict.height).toBeGreaterThan(100);
    }
    expect(page.fairness).toEqual({ rows: 6, drawn: 6 });
    // Only the probe ran: the hostile feature name is on the page as text, not as markup.
    expect(page.scripts).toBe(1);
    expect(page.pwned).toBe(false);
    expect(page.hostileShownAsText).toBe(true);
  });

  it('draws a 3×3 confusion matrix and no curves for a multiclass model', async () => {
    const page = await measure(multiclassReportInput());
    expect(Object.keys(page.plots).sort()).toEqual(['confusion', 'importance']);
    expect(page.plots.confusion).toMatchObject({ marks: 9, drawn: 9 });
    expect(page.plots.importance).toMatchObject({ marks: 40, drawn: 40 });
    expect(page.fairness).toEqual({ rows: 6, drawn: 6 });
  });
});
