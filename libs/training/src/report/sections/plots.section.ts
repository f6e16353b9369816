// The figures: ROC, PR and calibration when the evaluation holds them (binary tasks), the confusion
// matrix for classification tasks, and feature importance for every task.
import type { Evaluation } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, isFiniteNumber } from '../html-text.helper';
import { calibrationPlot } from '../plots/calibration.plot';
import { confusionPlot } from '../plots/confusion.plot';
import { importancePlot, TOP_FEATURES } from '../plots/importance.plot';
import { prPlot } from '../plots/pr.plot';
import { rocPlot } from '../plots/roc.plot';

export function curvesSection(evaluation: Evaluation): string {
  const { roc, pr, calibration, metrics } = evaluation;
  const figures = [
    roc && figure(rocPlot(roc), `ROC · AUC ${formatNumber(metrics.auc, 4)}`),
    pr && figure(prPlot(pr, prevalence(evaluation)), `Precision–recall · PR-AUC ${formatNumber(metrics.pr_auc, 4)}`),
    calibration && figure(calibrationPlot(calibration), `Calibration · ECE ${formatNumber(metrics.ece, 4)}`),
  ].filter(Boolean);
  return figures.length === 0
    ? ''
    : `<section id="curves"><h2>Curves</h2><div class="plots">${figures.join('')}</div></section>`;
}

export function confusionSection(evaluation: Evaluation): string {
  if (evaluation.task !== 'binary' && evaluation.task !== 'multiclass') return '';
  if (evaluation.confusion.labels.length === 0) return '';
  return `<section id="confusion"><h2>Confusion matrix</h2>${figure(confusionPlot(evaluation.confusion), 'rows: actual class · columns: predicted class · shade: share of the row')}</section>`;
}

export function importanceSection(evaluation: Evaluation): string {
  const shown = Math.min(TOP_FEATURES, evaluation.importance.length);
  const caption = `top ${shown} of ${evaluation.importance.length} features by gain`;
  return `<section id="importance"><h2>Feature importance</h2>${figure(importancePlot(evaluation.importance), caption)}</section>`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

// The PR no-skill line sits at the positive class's share (binary: the second class); the evaluation
// holds the balance over all labelled rows only, which a time split keeps close to the test split's.
function prevalence(evaluation: Evaluation): number | null {
  const positive = evaluation.classes[1];
  const counts = Object.values(evaluation.classBalance).filter(isFiniteNumber);
  const total = counts.reduce((s, n) => s + n, 0);
  const n = positive === undefined ? undefined : evaluation.classBalance[positive];
  return isFiniteNumber(n) && total > 0 ? n / total : null;
}
