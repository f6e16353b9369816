import { accuracy, auc, aucStandardError, brierScore, expectedCalibrationError, logloss } from '@pulse/ml-metrics';
import { fairnessByAttribute } from '@pulse/training';
import { estimatedAuc } from './cbpe';

/** One prediction joined with its matured label (and its entity's fairness groups). */
export interface JoinedRow {
  readonly score: number;
  readonly label: 0 | 1;
  readonly groups?: Readonly<Record<string, string>>;
  /** The entity predicted for: rows of one entity are one cluster for the gaps' sampling noise. */
  readonly entityId?: string;
}

export interface FairnessGap {
  readonly attribute: string;
  readonly groups: number;
  /** Fairlearn's definitions over the window's rows, decisions at the 0.5 threshold. */
  readonly demographicParityDifference: number | null;
  readonly equalizedOddsDifference: number | null;
  /**
   * The gaps less their sampling noise (entity-clustered, Bonferroni over the group pairs), as the
   * training gate judges them: a gap is a fault only if even this is over the maximum. Absent when
   * rows carry no entity ids.
   */
  readonly demographicParityLowerBound?: number;
  readonly equalizedOddsLowerBound?: number;
}

/** Realised quality of a window (null where the rows leave a metric undefined, e.g. AUC of one class). */
export interface WindowQuality {
  readonly n: number;
  readonly positives: number;
  readonly auc: number | null;
  /** Hanley & McNeil's standard error of `auc`: how much it varies by sampling alone. */
  readonly aucStandardError: number | null;
  readonly logloss: number | null;
  readonly accuracy: number | null;
  readonly brier: number | null;
  /** Expected calibration error over 10 equal-width bins. */
  readonly calibrationError: number | null;
  readonly meanScore: number | null;
  readonly fairness: readonly FairnessGap[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The window's realised metrics from its joined rows, with the metrics lib's functions (so a window's
 * AUC is exactly the lib's AUC of the same rows), and the fairness gaps per attribute.
 */
export function windowQuality(rows: readonly JoinedRow[], fairnessAttributes: readonly string[] = []): WindowQuality {
  const n = rows.length;
  const y = rows.map((r) => r.label);
  const s = rows.map((r) => r.score);
  const positives = y.reduce<number>((a, b) => a + b, 0);
  const bothClasses = positives > 0 && positives < n;
  const fairness: FairnessGap[] = [];
  const clusters = rows.every((r) => r.entityId !== undefined) ? rows.map((r) => r.entityId as string) : undefined;
  if (n > 0)
    for (const attribute of fairnessAttributes) {
      const groups = rows.map((r) => r.groups?.[attribute] ?? '');
      const distinct = new Set(groups.filter((g) => g !== ''));
      if (distinct.size < 2) continue;
      const f = fairnessByAttribute(
        attribute,
        groups,
        y,
        s.map((x) => (x >= 0.5 ? 1 : 0)),
        s,
        '1',
        clusters,
      );
      fairness.push({
        attribute,
        groups: distinct.size,
        demographicParityDifference: f.demographicParityDifference ?? null,
        equalizedOddsDifference: f.equalizedOddsDifference ?? null,
        ...(f.demographicParityLowerBound === undefined
          ? {}
          : {
              demographicParityLowerBound: f.demographicParityLowerBound,
              equalizedOddsLowerBound: f.equalizedOddsLowerBound,
            }),
      });
    }
  const a = bothClasses ? finite(auc(y, s)) : null;
  return {
    n,
    positives,
    auc: a,
    aucStandardError: a === null ? null : aucStandardError(a, positives, n - positives),
    logloss: n > 0 ? finite(logloss(y, s)) : null,
    accuracy:
      n > 0
        ? finite(
            accuracy(
              y,
              s.map((x) => (x >= 0.5 ? 1 : 0)),
            ),
          )
        : null,
    brier: n > 0 ? finite(brierScore(y, s)) : null,
    calibrationError: n > 0 ? finite(expectedCalibrationError(y, s)) : null,
    meanScore: n > 0 ? s.reduce((a, b) => a + b, 0) / n : null,
    fairness,
  };
}

/** CBPE's AUC estimate of a window's scores (labels not needed); null when undefined. */
export function windowEstimatedAuc(scores: ArrayLike<number>): number | null {
  return scores.length > 1 ? finite(estimatedAuc(scores)) : null;
}
