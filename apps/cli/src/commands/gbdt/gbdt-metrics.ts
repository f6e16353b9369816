// The metrics `gbdt eval` prints (and `gbdt train` reports for --valid), per kind of model.
import type { Dataset, GbdtModel } from '@pulse/gbdt';
import {
  accuracy,
  argmaxRows,
  auc,
  brierScore,
  expectedCalibrationError,
  logloss,
  mae,
  mapAtK,
  multiclassLogloss,
  ndcgAtK,
  precisionRecallF1,
  r2,
  rmse,
  thresholdLabels,
} from '@pulse/ml-metrics';

/** `predictions` as `predict` returns them (probabilities / values, row-major for multiclass). */
export function evaluationMetrics(
  model: Pick<GbdtModel, 'objective' | 'numClass'>,
  data: Dataset,
  predictions: ArrayLike<number>,
): Record<string, number> {
  const y = data.label;
  if (!y) throw new Error('the data has no label column');
  const weights = data.weight ? { weights: data.weight } : {};
  switch (model.objective) {
    case 'binary:logistic':
      return {
        auc: auc(y, predictions, weights),
        logloss: logloss(y, predictions, weights),
        accuracy: accuracy(y, thresholdLabels(predictions), weights),
        brier: brierScore(y, predictions, weights),
        ece: expectedCalibrationError(y, predictions, { bins: 10, ...weights }),
      };
    case 'multi:softprob': {
      const predicted = argmaxRows(predictions, model.numClass);
      return {
        accuracy: accuracy(y, predicted, weights),
        mlogloss: multiclassLogloss(y, predictions, { numClass: model.numClass, ...weights }),
        // Macro over the classes present in labels or predictions, as sklearn's f1_score.
        macro_f1: precisionRecallF1(y, predicted, { average: 'macro', ...weights }).f1,
      };
    }
    case 'rank:ndcg': {
      if (!data.group) throw new Error('ranking metrics need query groups (--group <qid column>, or qid: in LibSVM)');
      const group = data.group;
      return {
        'ndcg@1': ndcgAtK(y, predictions, 1, { group }),
        'ndcg@3': ndcgAtK(y, predictions, 3, { group }),
        'ndcg@5': ndcgAtK(y, predictions, 5, { group }),
        'map@5': mapAtK(y, predictions, 5, { group }),
      };
    }
    default:
      return {
        rmse: rmse(y, predictions, weights),
        mae: mae(y, predictions, weights),
        r2: r2(y, predictions, weights),
      };
  }
}
