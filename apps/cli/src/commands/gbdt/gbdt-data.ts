// Reading the CLI's input files (CSV or LibSVM) into Datasets, with label checks per objective so a
// bad label is reported with its line and column.
import { readCsv, readLibsvm, type Dataset, type Objective } from '@pulse/gbdt';
import type { DataFormat } from './gbdt-options';

export interface LoadOptions {
  format: DataFormat;
  label?: string;
  group?: string;
  /** Feature columns to read (a model's feature names); CSV only. */
  features?: string[];
  /** LibSVM width (a model's feature count). */
  numFeatures?: number;
  /** A missing label column is fine (prediction input). */
  labelOptional?: boolean;
  checkLabel?: (value: number) => string | null | undefined;
}

export async function loadData(file: string, o: LoadOptions): Promise<Dataset> {
  if (o.format === 'libsvm') {
    return readLibsvm(file, { numFeatures: o.numFeatures, checkLabel: o.checkLabel });
  }
  return readCsv(file, {
    label: o.label,
    group: o.group,
    features: o.features,
    labelOptional: o.labelOptional,
    checkLabel: o.checkLabel,
  });
}

/**
 * The label rule of an objective: binary 0/1; multiclass an integer class in [0, numClass) (when
 * numClass is unknown — training — any integer >= 0, and K is inferred afterwards); ranking a
 * relevance grade >= 0; regression any finite number.
 */
export function labelRule(objective: Objective, numClass?: number): (v: number) => string | null {
  switch (objective) {
    case 'binary:logistic':
      return (v) => (v === 0 || v === 1 ? null : `label ${v} is out of range for a binary objective (0 or 1)`);
    case 'multi:softprob':
      return (v) => {
        if (!Number.isInteger(v) || v < 0) return `label ${v} is not a class index (an integer 0..K-1)`;
        if (numClass !== undefined && v >= numClass)
          return `label ${v} is out of range: the model has ${numClass} classes (0..${numClass - 1})`;
        return null;
      };
    case 'rank:ndcg':
      return (v) => (v >= 0 ? null : `label ${v} is out of range for ranking (a relevance grade >= 0)`);
    default:
      return () => null;
  }
}

/** K for multiclass training: max label + 1 (labels already checked to be integers >= 0). */
export function inferNumClass(data: Dataset): number {
  let max = 0;
  const label = data.label!;
  for (let i = 0; i < label.length; i++) if (label[i] > max) max = label[i];
  return max + 1;
}
