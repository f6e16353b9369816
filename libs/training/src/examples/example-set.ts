import { Prng } from '@pulse/core';

/**
 * Labelled examples in growable flat arrays (row-major features), so a training set of 100k rows ×
 * 100 features is one Float32Array rather than 100k objects.
 */
export class ExampleSet {
  private x: Float32Array;
  private y: Float64Array;
  private times: Float64Array;
  private n = 0;
  readonly entityIds: string[] = [];
  /** The trigger event's id (event triggers), else ''. */
  readonly triggerIds: string[] = [];
  /** Per fairness attribute, each row's group ('' when unknown). */
  readonly groups: Record<string, string[]>;

  constructor(
    readonly featureNames: readonly string[],
    fairnessAttributes: readonly string[],
    capacity = 1024,
  ) {
    this.x = new Float32Array(capacity * featureNames.length);
    this.y = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.groups = Object.fromEntries(fairnessAttributes.map((a) => [a, []]));
  }

  get size(): number {
    return this.n;
  }

  get width(): number {
    return this.featureNames.length;
  }

  add(
    vector: Float32Array,
    label: number,
    timeMs: number,
    entityId: string,
    triggerId: string,
    groups: Record<string, string>,
  ): void {
    if (this.n === this.y.length) this.grow();
    this.x.set(vector, this.n * this.width);
    this.y[this.n] = label;
    this.times[this.n] = timeMs;
    this.entityIds.push(entityId);
    this.triggerIds.push(triggerId);
    for (const a of Object.keys(this.groups)) this.groups[a].push(groups[a] ?? '');
    this.n++;
  }

  row(i: number): Float32Array {
    return this.x.subarray(i * this.width, (i + 1) * this.width);
  }

  label(i: number): number {
    return this.y[i];
  }

  time(i: number): number {
    return this.times[i];
  }

  /** Column-major copies of the given rows, as the tree engine takes them. */
  columns(rows: ArrayLike<number>): Float32Array[] {
    const w = this.width;
    const cols = Array.from({ length: w }, () => new Float32Array(rows.length));
    for (let r = 0; r < rows.length; r++) {
      const base = rows[r] * w;
      for (let f = 0; f < w; f++) cols[f][r] = this.x[base + f];
    }
    return cols;
  }

  labels(rows: ArrayLike<number>): Float64Array {
    const out = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = this.y[rows[r]];
    return out;
  }

  /** Shuffles the labels across rows (Fisher–Yates, seeded): a null model's data, for checking that gates bite. */
  permuteLabels(seed: number): void {
    const rng = new Prng(`permute/${seed}`);
    for (let i = this.n - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const t = this.y[i];
      this.y[i] = this.y[j];
      this.y[j] = t;
    }
  }

  private grow(): void {
    const cap = this.y.length * 2;
    const x = new Float32Array(cap * this.width);
    x.set(this.x);
    this.x = x;
    const y = new Float64Array(cap);
    y.set(this.y);
    this.y = y;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
  }
}
