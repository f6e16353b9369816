// The reference every figure stands next to: a bare onnxruntime-node session on the same ONNX bytes.
import * as ort from 'onnxruntime-node';
import { latencies, type Latencies } from './bench-support';

export class BareSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    readonly width: number,
  ) {}

  static async create(onnx: Uint8Array, inputName: string, width: number): Promise<BareSession> {
    return new BareSession(await ort.InferenceSession.create(onnx), inputName, width);
  }

  run(rows: Float32Array, n: number): Promise<ort.InferenceSession.OnnxValueMapType> {
    const feeds = { [this.inputName]: new ort.Tensor('float32', rows, [n, this.width]) };
    return this.session.run(feeds, ['probabilities']);
  }

  /** One row per call, awaited in turn (after a warm-up): each call's time in ms. */
  async singleRows(rows: readonly Float32Array[], calls: number): Promise<Latencies> {
    for (let i = 0; i < Math.min(500, calls); i++) await this.run(rows[i % rows.length], 1);
    const samples = new Float64Array(calls);
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await this.run(rows[i % rows.length], 1);
      samples[i] = performance.now() - t0;
    }
    return latencies(Array.from(samples));
  }

  /** Rows per second over `passes` runs through `matrix` (n rows) in calls of `chunk` rows; the best pass. */
  async rowsPerSecond(matrix: Float32Array, n: number, chunk: number, passes: number): Promise<number> {
    let best = 0;
    for (let p = 0; p < passes + 1; p++) {
      const t0 = performance.now();
      for (let k = 0; k < n; k += chunk) {
        const m = Math.min(chunk, n - k);
        await this.run(matrix.subarray(k * this.width, (k + m) * this.width), m);
      }
      // the first pass warms up
      if (p > 0) best = Math.max(best, (n / (performance.now() - t0)) * 1000);
    }
    return best;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
