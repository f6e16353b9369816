import type { ServableTask } from '../loading/servable-model';

export interface ClassOutcome {
  readonly score: number;
  readonly label?: string;
  readonly classProbabilities: Record<string, number>;
  /** One probability per class in class order (classifiers); the output the label's score is. */
  readonly probabilities: Float64Array;
  readonly labelIndex: number;
}

/**
 * A row's outputs as a prediction reads them. Binary (`values` = [P(positive)]): score P(positive),
 * label the positive class when P ≥ 0.5; multiclass: the most probable class and its probability;
 * regression and ranking: the value, no label or classes.
 */
export function classOutcome(
  task: ServableTask,
  classes: readonly string[],
  values: ArrayLike<number>,
  offset: number,
): ClassOutcome {
  if (task === 'binary') {
    const p = values[offset];
    const probabilities = Float64Array.of(1 - p, p);
    const labelIndex = p >= 0.5 ? 1 : 0;
    return {
      score: p,
      label: classes[labelIndex],
      classProbabilities: { [classes[0]]: 1 - p, [classes[1]]: p },
      probabilities,
      labelIndex,
    };
  }
  if (task === 'multiclass') {
    const K = classes.length;
    const probabilities = new Float64Array(K);
    const classProbabilities: Record<string, number> = {};
    let best = 0;
    for (let k = 0; k < K; k++) {
      probabilities[k] = values[offset + k];
      classProbabilities[classes[k]] = probabilities[k];
      if (probabilities[k] > probabilities[best]) best = k;
    }
    return { score: probabilities[best], label: classes[best], classProbabilities, probabilities, labelIndex: best };
  }
  return { score: values[offset], classProbabilities: {}, probabilities: new Float64Array(0), labelIndex: 0 };
}
