// Batch scoring through @pulse/inference's scoreEntities, next to a bare onnxruntime session on the same rows.
import type { ColumnarRead, FeatureReader } from '@pulse/features';
import { entityValues, scoreEntities, viewGroups, type BatchFeatureSource, type ServableModel } from '@pulse/inference';
import type { CompiledModelSpec } from '@pulse/models';
import type { BareSession } from './ort-reference';

export interface BatchPhaseResult {
  readonly entities: number;
  readonly chunk: number;
  /** Features read from Redis (online states) and scored: the best and the median pass, rows/s. */
  readonly endToEnd: { readonly best: number; readonly median: number; readonly online: number };
  /** The same rows with their feature reads done beforehand: vector function, onnxruntime, outcomes. */
  readonly scoringOnly: number;
  /** FeatureReader.readColumns alone on the same chunks (Redis read, state decode, view evaluation), rows/s. */
  readonly readsOnly: number;
  /** Bare onnxruntime on the very input rows, in the same chunks. */
  readonly bareOrt: number;
  /** As of a time before the states: every entity replayed from the Postgres event log (one pass). */
  readonly replayed: { readonly rowsPerSecond: number; readonly offline: number };
  /** Largest |batch score − bare onnxruntime score| over the rows (the same model on the same rows). */
  readonly maxDifference: number;
}

async function pass(
  compiled: CompiledModelSpec,
  servable: ServableModel,
  features: BatchFeatureSource,
  entities: readonly string[],
  atMs: number,
  chunk: number,
): Promise<{ rowsPerSecond: number; online: number; offline: number; scores: Float64Array }> {
  const scores = new Float64Array(entities.length);
  let at = 0;
  let online = 0;
  let offline = 0;
  const t0 = performance.now();
  for await (const c of scoreEntities({
    compiled,
    servable,
    alias: 'champion',
    features,
    entities,
    atMs,
    chunkSize: chunk,
  })) {
    scores.set(c.scores, at);
    at += c.size;
    ({ online, offline } = c.progress);
  }
  return { rowsPerSecond: (entities.length / (performance.now() - t0)) * 1000, online, offline, scores };
}

/** A feature source answering from reads made beforehand, chunk after chunk in the order they were made. */
function replaying(reads: readonly ColumnarRead[]): BatchFeatureSource {
  let next = 0;
  return { readColumns: async () => reads[next++ % reads.length] };
}

export async function batchPhase(options: {
  readonly compiled: CompiledModelSpec;
  readonly servable: ServableModel;
  readonly bare: BareSession;
  readonly reader: FeatureReader;
  readonly entities: readonly string[];
  readonly atMs: number;
  readonly replayAtMs: number;
  readonly chunk: number;
  readonly passes: number;
}): Promise<BatchPhaseResult> {
  const { compiled, servable, reader, entities, atMs, chunk } = options;
  const groups = viewGroups(compiled);
  if (groups.length !== 1) throw new Error('the batch phase reads one view group (lesson_completion has one)');

  // Warm-up, then the timed passes.
  await pass(compiled, servable, reader, entities, atMs, chunk);
  const runs: { rowsPerSecond: number; online: number; scores: Float64Array }[] = [];
  for (let p = 0; p < options.passes; p++) runs.push(await pass(compiled, servable, reader, entities, atMs, chunk));
  const rates = runs.map((r) => r.rowsPerSecond).sort((a, b) => a - b);

  let readsOnly = 0;
  for (let p = 0; p < options.passes; p++) {
    const t0 = performance.now();
    for (let k = 0; k < entities.length; k += chunk)
      reader.recycle(
        await reader.readColumns(entities.slice(k, k + chunk), atMs + groups[0].offsetMs, groups[0].views),
      );
    readsOnly = Math.max(readsOnly, (entities.length / (performance.now() - t0)) * 1000);
  }

  // The same chunks' reads, kept: the scoring alone, and the input rows for the bare session.
  const reads: ColumnarRead[] = [];
  for (let k = 0; k < entities.length; k += chunk)
    reads.push(await reader.readColumns(entities.slice(k, k + chunk), atMs + groups[0].offsetMs, groups[0].views));
  let scoringOnly = 0;
  for (let p = 0; p < options.passes + 1; p++) {
    const r = await pass(compiled, servable, replaying(reads), entities, atMs, chunk);
    if (p > 0) scoringOnly = Math.max(scoringOnly, r.rowsPerSecond);
  }
  const F = compiled.featureNames.length;
  const matrix = new Float32Array(entities.length * F);
  reads.forEach((r, c) => {
    for (let i = 0; i < r.entityIds.length; i++) {
      const row = c * chunk + i;
      compiled.vector(entityValues([r], i), { eventTimeMs: atMs }, matrix.subarray(row * F, (row + 1) * F));
    }
  });
  const bareOrt = await options.bare.rowsPerSecond(matrix, entities.length, chunk, options.passes);
  let maxDifference = 0;
  const last = runs[runs.length - 1].scores;
  for (let k = 0; k < entities.length; k += chunk) {
    const n = Math.min(chunk, entities.length - k);
    const out = await options.bare.run(matrix.subarray(k * F, (k + n) * F), n);
    const probabilities = out.probabilities.data as Float32Array;
    for (let i = 0; i < n; i++)
      maxDifference = Math.max(maxDifference, Math.abs(probabilities[2 * i + 1] - last[k + i]));
  }

  const replay = await pass(compiled, servable, reader, entities, options.replayAtMs, chunk);
  return {
    entities: entities.length,
    chunk,
    endToEnd: { best: rates[rates.length - 1], median: rates[Math.floor(rates.length / 2)], online: runs[0].online },
    scoringOnly,
    readsOnly,
    bareOrt,
    replayed: { rowsPerSecond: replay.rowsPerSecond, offline: replay.offline },
    maxDifference,
  };
}
