import { auc } from '@pulse/ml-metrics';
import type { FairnessByAttribute, FairnessGroup } from './evaluation.types';

/**
 * Per-group rates of a binary decision (`predicted` 0/1 against `actual` 0/1) and the two gaps as
 * Fairlearn defines them: demographic parity difference = max − min selection rate over groups;
 * equalized odds difference = the larger of the max − min true-positive rate and the max − min
 * false-positive rate. Rows without a group ('') are left out; AUC per group from `scores`.
 */
export function fairnessByAttribute(
  attribute: string,
  groupsOfRows: readonly string[],
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  scores: ArrayLike<number>,
  positiveClass: string,
): FairnessByAttribute {
  const byGroup = new Map<string, number[]>();
  groupsOfRows.forEach((g, i) => {
    if (g === '') return;
    const rows = byGroup.get(g);
    if (rows) rows.push(i);
    else byGroup.set(g, [i]);
  });
  const groups: FairnessGroup[] = [...byGroup.keys()].sort().map((group) => {
    const rows = byGroup.get(group)!;
    let sel = 0;
    let pos = 0;
    let tp = 0;
    let fp = 0;
    let correct = 0;
    for (const i of rows) {
      const a = actual[i] === 1;
      const p = predicted[i] === 1;
      if (p) sel++;
      if (a) pos++;
      if (a && p) tp++;
      if (!a && p) fp++;
      if (a === p) correct++;
    }
    const neg = rows.length - pos;
    const y = rows.map((i) => actual[i]);
    return {
      group,
      count: rows.length,
      selectionRate: sel / rows.length,
      baseRate: pos / rows.length,
      truePositiveRate: pos > 0 ? tp / pos : null,
      falsePositiveRate: neg > 0 ? fp / neg : null,
      accuracy: correct / rows.length,
      auc:
        pos > 0 && neg > 0
          ? auc(
              y,
              rows.map((i) => scores[i]),
            )
          : null,
    };
  });
  const spread = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length < 2 ? 0 : Math.max(...v) - Math.min(...v);
  };
  return {
    attribute,
    groups,
    positiveClass,
    demographicParityDifference: spread(groups.map((g) => g.selectionRate)),
    equalizedOddsDifference: Math.max(
      spread(groups.map((g) => g.truePositiveRate)),
      spread(groups.map((g) => g.falsePositiveRate)),
    ),
  };
}
