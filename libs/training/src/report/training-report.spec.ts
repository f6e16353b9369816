import type { ReportInput } from '../evaluate/evaluation.types';
import { renderTrainingReport } from '../index';
import {
  binaryReportInput,
  CALIBRATION_BINS,
  CURVE_POINTS,
  HOSTILE_FEATURE,
  multiclassReportInput,
} from './report.fixture';

const plotSvg = (html: string, plot: string) => html.match(new RegExp(`<svg data-plot="${plot}"[\\s\\S]*?</svg>`))?.[0];
const marks = (fragment: string) => (fragment.match(/class="data-mark[ "]/g) ?? []).length;

describe('renderTrainingReport', () => {
  const binary = renderTrainingReport(binaryReportInput());

  it('is one self-contained HTML5 page: no script, no external URL', () => {
    expect(binary.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(binary).not.toMatch(
      /<(script|link|img|iframe|object)\b|\s(src|href)="|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg")/i,
    );
    expect(binary).toContain("default-src 'none'");
  });

  it('shows header, metrics beside baseline and oracle, gates, rows and class balance', () => {
    expect(binary).toContain('<h1>Training report: engagement-churn v7</h1>');
    expect(binary).toMatch(/<th>auc<\/th><td>0\.7500<\/td><td>0\.6611<\/td><td>0\.8123<\/td>/);
    expect(binary).toMatch(/<th>logloss<\/th><td>0\.5123<\/td><td>0\.5902<\/td><td>–<\/td>/);
    expect(binary).toContain('11,980 matched');
    expect(binary).toMatch(
      /<tr class="fail"><th>max_dp_difference<\/th><td><span class="verdict">fail<\/span><\/td><td>0\.0600<\/td><td>0\.0500<\/td>/,
    );
    expect(binary).toContain('3 of 4 passed');
    expect(binary).toMatch(/<th>train<\/th><td>84,000<\/td>/);
    expect(binary).toMatch(/<th>1<\/th><td>34,200<\/td><td class="share">.*?30\.0%<\/td>/);
  });

  it('draws every binary plot with marks for its points', () => {
    expect(marks(plotSvg(binary, 'roc')!)).toBe(CURVE_POINTS + 1);
    expect(marks(plotSvg(binary, 'pr')!)).toBe(CURVE_POINTS + 1);
    expect(marks(plotSvg(binary, 'calibration')!)).toBe(CALIBRATION_BINS + 1);
    expect(marks(plotSvg(binary, 'confusion')!)).toBe(4);
    expect(marks(plotSvg(binary, 'importance')!)).toBe(40);
    const fairness = binary.match(/<table[^>]*data-plot="fairness"[\s\S]*?<\/table>/)![0];
    expect(marks(fairness)).toBe(6);
    expect(fairness).toContain('demographic parity difference 0.060');
  });

  it('escapes every text value: a hostile feature, model, group or lineage value injects nothing', () => {
    const input = binaryReportInput();
    const hostile: ReportInput = {
      ...input,
      model: '<script>alert(1)</script>',
      evaluation: {
        ...input.evaluation,
        baseline: { ...input.evaluation.baseline, name: '"><svg onload=alert(1)>' },
        fairness: [
          {
            ...input.evaluation.fairness[0],
            attribute: '<b>',
            groups: [{ ...input.evaluation.fairness[0].groups[0], group: '<i>' }],
          },
        ],
      },
      lineage: { '<key>': '<value>', nested: { '<k>': '</pre><script>' } },
    };
    const html = renderTrainingReport(hostile);
    expect(html).not.toMatch(/<script|<svg onload|<b>|<i>|<key>|<value>|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(HOSTILE_FEATURE.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  });

  it('omits ROC, PR and calibration for a multiclass model and draws a K×K confusion matrix', () => {
    const html = renderTrainingReport(multiclassReportInput());
    for (const plot of ['roc', 'pr', 'calibration']) expect(html).not.toContain(`data-plot="${plot}"`);
    expect(html).not.toContain('id="curves"');
    expect(marks(plotSvg(html, 'confusion')!)).toBe(9);
    expect(html).toMatch(/<th>accuracy<\/th><td>0\.6812<\/td><td>0\.4500<\/td><\/tr>/);
    expect(html).toContain('positive class high');
  });

  it('prints "–" for NaN, null and empty values and never "NaN", "null" or "undefined"', () => {
    const input = binaryReportInput();
    const group = {
      ...input.evaluation.fairness[0].groups[0],
      truePositiveRate: null,
      falsePositiveRate: null,
      auc: null,
      accuracy: NaN,
    };
    const html = renderTrainingReport({
      ...input,
      version: null,
      evaluation: {
        ...input.evaluation,
        metrics: { auc: NaN, brier: Infinity },
        oracle: { auc: NaN, matched: 0, modelAuc: NaN },
        roc: { fpr: [NaN], tpr: [NaN] },
        calibration: { meanPredicted: [], fractionPositive: [], count: [] },
        classBalance: {},
        importance: [],
        fairness: [{ ...input.evaluation.fairness[0], groups: [group], demographicParityDifference: NaN }],
      },
      gates: [{ name: 'min_auc', passed: false, value: null, threshold: 0.7, detail: '' }],
      params: { learning_rate: NaN, note: undefined },
      lineage: {},
    });
    expect(html).not.toMatch(/NaN|Infinity|null|undefined/);
    expect(html).toContain('engagement-churn unregistered');
    expect(html).toMatch(/<th>auc<\/th><td>–<\/td><td>0\.6611<\/td><td>–<\/td>/);
    expect(html).toMatch(/<td>–<\/td><td>0\.7000<\/td><td>–<\/td><\/tr>/);
    expect(html).toMatch(
      /<tr class="data-mark"><th>emea<\/th><td>5,200<\/td>(<td>[^<]+<\/td>){2}(<td>–<\/td>){4}<\/tr>/,
    );
    expect(html).toContain('demographic parity difference –');
    expect(marks(plotSvg(html, 'roc')!)).toBe(0);
    expect(html).toContain('no data');
  });

  it('gives the same bytes for the same input', () => {
    expect(renderTrainingReport(binaryReportInput())).toBe(binary);
    expect(renderTrainingReport(multiclassReportInput())).toBe(renderTrainingReport(multiclassReportInput()));
  });
});
