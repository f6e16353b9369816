import type { ModelSpec } from '@pulse/models';
import { LeakageError, TrainingSetError } from '../errors/training.errors';
import type { ExampleSet } from '../examples/example-set';
import type { TimeSplit } from '../split/time-split';

export interface TrainingSetChecks {
  /** Share of missing (NaN) values per feature in the training split. */
  readonly missingShare: Readonly<Record<string, number>>;
  readonly leakageProbes: number;
}

/**
 * Refuses a training set that cannot make a trustworthy model: leakage (named features), fewer
 * labelled rows than the spec's minimum, a split without every class, a feature missing in more than
 * the spec's share of the training rows. Errors name what failed.
 */
export function validateTrainingSet(
  spec: ModelSpec,
  examples: ExampleSet,
  split: TimeSplit,
  leakage: { readonly columns: readonly string[]; readonly probes: number },
): TrainingSetChecks {
  if (leakage.columns.length > 0) throw new LeakageError(leakage.columns);
  if (examples.size < spec.minRows)
    throw new TrainingSetError(
      `${examples.size} labelled examples, fewer than the minimum ${spec.minRows}`,
      'min_rows',
    );
  for (const [name, rows] of [
    ['train', split.train],
    ['validation', split.validation],
    ['test', split.test],
  ] as const) {
    if (rows.length === 0) throw new TrainingSetError(`the ${name} split is empty`, 'split');
    if (spec.task === 'binary' || spec.task === 'multiclass') {
      const seen = new Set<number>();
      for (const r of rows) seen.add(examples.label(r));
      const missing = spec.classes.filter((_, k) => !seen.has(k));
      if (missing.length > 0)
        throw new TrainingSetError(`the ${name} split has no example of class ${missing.join(', ')}`, 'classes');
    }
  }
  const missingShare: Record<string, number> = {};
  const w = examples.width;
  const counts = new Float64Array(w);
  for (const r of split.train) {
    const row = examples.row(r);
    for (let f = 0; f < w; f++) if (Number.isNaN(row[f])) counts[f]++;
  }
  const tooSparse: string[] = [];
  examples.featureNames.forEach((name, f) => {
    missingShare[name] = counts[f] / split.train.length;
    if (missingShare[name] > spec.maxMissingShare)
      tooSparse.push(`${name} (${(100 * missingShare[name]).toFixed(1)} %)`);
  });
  if (tooSparse.length > 0)
    throw new TrainingSetError(
      `missing in more than ${100 * spec.maxMissingShare} % of the training rows: ${tooSparse.join(', ')}`,
      'missing_values',
    );
  return { missingShare, leakageProbes: leakage.probes };
}
