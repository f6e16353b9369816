// Regression metrics, weighted means over rows (sklearn's definitions).
import { checkPair, type Numbers } from './guards';

export interface RegressionOptions {
  /** Per-row sample weights; default: all 1. */
  weights?: Numbers;
}

export function rmse(yTrue: Numbers, yPred: Numbers, options: RegressionOptions = {}): number {
  return Math.sqrt(mse(yTrue, yPred, options));
}

export function mse(yTrue: Numbers, yPred: Numbers, options: RegressionOptions = {}): number {
  const w = checkPair(yTrue, yPred, options.weights);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i] - yPred[i];
    sum += w(i) * d * d;
    wsum += w(i);
  }
  return sum / wsum;
}

export function mae(yTrue: Numbers, yPred: Numbers, options: RegressionOptions = {}): number {
  const w = checkPair(yTrue, yPred, options.weights);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    sum += w(i) * Math.abs(yTrue[i] - yPred[i]);
    wsum += w(i);
  }
  return sum / wsum;
}

/**
 * Coefficient of determination 1 - SSres / SStot. When yTrue is constant (SStot = 0) it returns 1 for
 * a perfect prediction and 0 otherwise, as sklearn's r2_score (force_finite) does.
 */
export function r2(yTrue: Numbers, yPred: Numbers, options: RegressionOptions = {}): number {
  const w = checkPair(yTrue, yPred, options.weights);
  let wsum = 0;
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) {
    mean += w(i) * yTrue[i];
    wsum += w(i);
  }
  mean /= wsum;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const r = yTrue[i] - yPred[i];
    const t = yTrue[i] - mean;
    ssRes += w(i) * r * r;
    ssTot += w(i) * t * t;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
