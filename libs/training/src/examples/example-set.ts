import { Prng } from '@pulse/core';

/** Rows per chunk of feature values: growing appends a chunk, nothing already stored is copied. */
const CHUNK_ROWS = 4096;

/**
 * Labelled examples in flat typed arrays (row-major features in fixed-size chunks), so a training set
 * of 100k rows × 100 features is a few dozen Float32Arrays rather than 100k objects, and growing it
 * never copies what is stored.
 */
export class ExampleSet {
  private readonly chunks: Float32Array[] = [];
  private y = new Float64Array(CHUNK_ROWS);
  private times = new Float64Array(CHUNK_ROWS);
  private n = 0;
  readonly entityIds: string[] = [];
  /** The trigger event's id (event triggers), else ''. */
  readonly triggerIds: string[] = [];
  /** Per fairness attribute, each row's group ('' when unknown). */
  readonly groups: Record<string, string[]>;

  constructor(
    readonly featureNames: readonly string[],
    fairnessAttributes: readonly string[],
  ) {
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
    const at = this.n % CHUNK_ROWS;
    if (at === 0) this.chunks.push(new Float32Array(CHUNK_ROWS * this.width));
    if (this.n === this.y.length) this.growLabels();
    this.chunks[this.chunks.length - 1].set(vector, at * this.width);
    this.y[this.n] = label;
    this.times[this.n] = timeMs;
    this.entityIds.push(entityId);
    this.triggerIds.push(triggerId);
    for (const a in this.groups) this.groups[a].push(groups[a] ?? '');
    this.n++;
  }

  row(i: number): Float32Array {
    const at = (i % CHUNK_ROWS) * this.width;
    return this.chunks[Math.floor(i / CHUNK_ROWS)].subarray(at, at + this.width);
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
      const i = rows[r];
      const chunk = this.chunks[Math.floor(i / CHUNK_ROWS)];
      const base = (i % CHUNK_ROWS) * w;
      for (let f = 0; f < w; f++) cols[f][r] = chunk[base + f];
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

  private growLabels(): void {
    const y = new Float64Array(this.y.length * 2);
    y.set(this.y);
    this.y = y;
    const t = new Float64Array(this.times.length * 2);
    t.set(this.times);
    this.times = t;
  }
}
