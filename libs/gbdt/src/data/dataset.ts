/**
 * The engine's input: dense numeric features stored column-major (one Float32Array per feature),
 * NaN meaning missing. Labels, weights and query groups are optional so the same type serves
 * training, validation and prediction.
 */
export interface Dataset {
  readonly numRows: number;
  readonly numFeatures: number;
  /** Column-major feature values, `columns[f][row]`; NaN = missing. */
  readonly columns: Float32Array[];
  readonly label?: Float32Array | Float64Array;
  /** Per-row sample weights (>= 0). */
  readonly weight?: Float32Array | Float64Array;
  /** Query group sizes for ranking; the rows of a query are contiguous and the sizes sum to numRows. */
  readonly group?: Int32Array;
  readonly featureNames: string[];
}

export interface CreateDatasetInput {
  columns: Float32Array[];
  label?: Float32Array | Float64Array | ArrayLike<number>;
  weight?: Float32Array | Float64Array | ArrayLike<number>;
  group?: Int32Array | ArrayLike<number>;
  /** Defaults to f0..f{n-1}. */
  featureNames?: string[];
  /** Required only when there are no columns (a dataset of zero features). */
  numRows?: number;
}

function toFloat(values: ArrayLike<number>, name: string): Float32Array | Float64Array {
  if (values instanceof Float32Array || values instanceof Float64Array) return values;
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${name} must be a Float32Array, Float64Array or array of numbers`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new TypeError(`${name}[${i}] must be a number, got ${typeof v}`);
    out[i] = v;
  }
  return out;
}

/** Validates and assembles a Dataset; errors name the offending argument (TypeError / RangeError). */
export function createDataset(input: CreateDatasetInput): Dataset {
  if (input === null || typeof input !== 'object') throw new TypeError('input must be an object');
  const { columns } = input;
  if (!Array.isArray(columns)) throw new TypeError('columns must be an array of Float32Array');
  columns.forEach((c, f) => {
    if (!(c instanceof Float32Array)) throw new TypeError(`columns[${f}] must be a Float32Array`);
  });
  let numRows: number;
  if (columns.length > 0) {
    numRows = columns[0].length;
    columns.forEach((c, f) => {
      if (c.length !== numRows)
        throw new RangeError(`columns[${f}] has ${c.length} rows, expected ${numRows} (as columns[0])`);
    });
    if (input.numRows !== undefined && input.numRows !== numRows) {
      throw new RangeError(`numRows is ${input.numRows} but the columns have ${numRows} rows`);
    }
  } else {
    numRows = input.numRows ?? 0;
    if (!Number.isInteger(numRows) || numRows < 0)
      throw new RangeError(`numRows must be a non-negative integer, got ${numRows}`);
  }
  const numFeatures = columns.length;

  const featureNames = input.featureNames ?? columns.map((_, f) => `f${f}`);
  if (!Array.isArray(featureNames)) throw new TypeError('featureNames must be an array of strings');
  if (featureNames.length !== numFeatures) {
    throw new RangeError(`featureNames has ${featureNames.length} names, expected ${numFeatures} (one per column)`);
  }
  const seen = new Set<string>();
  featureNames.forEach((n, f) => {
    if (typeof n !== 'string' || n.length === 0) throw new TypeError(`featureNames[${f}] must be a non-empty string`);
    if (seen.has(n)) throw new RangeError(`featureNames[${f}] "${n}" is a duplicate`);
    seen.add(n);
  });

  let label: Float32Array | Float64Array | undefined;
  if (input.label !== undefined) {
    label = toFloat(input.label, 'label');
    if (label.length !== numRows) throw new RangeError(`label has ${label.length} values, expected ${numRows}`);
    for (let i = 0; i < label.length; i++) {
      if (!Number.isFinite(label[i])) throw new RangeError(`label[${i}] must be finite, got ${label[i]}`);
    }
  }

  let weight: Float32Array | Float64Array | undefined;
  if (input.weight !== undefined) {
    weight = toFloat(input.weight, 'weight');
    if (weight.length !== numRows) throw new RangeError(`weight has ${weight.length} values, expected ${numRows}`);
    for (let i = 0; i < weight.length; i++) {
      if (!Number.isFinite(weight[i]) || weight[i] < 0)
        throw new RangeError(`weight[${i}] must be finite and >= 0, got ${weight[i]}`);
    }
  }

  let group: Int32Array | undefined;
  if (input.group !== undefined) {
    const g = input.group;
    if (g === null || typeof g !== 'object' || typeof g.length !== 'number')
      throw new TypeError('group must be an Int32Array or array of integers');
    group = g instanceof Int32Array ? g : Int32Array.from(g as ArrayLike<number>);
    let total = 0;
    for (let i = 0; i < group.length; i++) {
      const s = (g as ArrayLike<number>)[i];
      if (!Number.isInteger(s) || s <= 0)
        throw new RangeError(`group[${i}] must be a positive integer (a query size), got ${s}`);
      total += s;
    }
    if (total !== numRows) throw new RangeError(`group sizes sum to ${total}, expected numRows ${numRows}`);
  }

  return { numRows, numFeatures, columns, label, weight, group, featureNames };
}

/** Query group sizes from a per-row query id column (rows of a query must be contiguous). */
export function groupSizesFromQueryIds(qid: ArrayLike<number>): Int32Array {
  const sizes: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < qid.length; i++) {
    if (i > 0 && qid[i] === qid[i - 1]) {
      sizes[sizes.length - 1]++;
      continue;
    }
    if (seen.has(qid[i])) throw new RangeError(`qid[${i}] = ${qid[i]}: rows of a query must be contiguous`);
    seen.add(qid[i]);
    sizes.push(1);
  }
  return Int32Array.from(sizes);
}
