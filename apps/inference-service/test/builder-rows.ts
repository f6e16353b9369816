import type { PredictionMessage } from '@pulse/contracts';
import { learningEngagementRegistry } from '@pulse/features';
import { compileModelSpec, DEFAULT_MODELS } from '@pulse/models';
import type { Storage } from '@pulse/storage';
import { buildExamples } from '@pulse/training';
import { eventLogSource } from '@pulse/training-jobs';

/**
 * The training-set builder's row for every trigger of the event log as it is now, by trigger event id:
 * what a prediction's input vector must equal (training/serving skew 0). A watermark far ahead: no
 * example is censored, so every trigger has its row.
 */
export async function builderRows(
  storage: Storage,
  model = 'lesson_completion',
): Promise<{ rows: Map<string, Float32Array>; featureNames: readonly string[] }> {
  const registry = learningEngagementRegistry();
  const compiled = compileModelSpec(DEFAULT_MODELS[model], registry);
  const source = await eventLogSource(storage.dataSource, storage.eventLog);
  const built = await buildExamples({
    compiled,
    registry,
    events: source.events(),
    watermarkMs: Number.MAX_SAFE_INTEGER,
    leakageEvery: 0,
  });
  const rows = new Map<string, Float32Array>();
  for (let i = 0; i < built.examples.size; i++) rows.set(built.examples.triggerIds[i], built.examples.row(i));
  return { rows, featureNames: compiled.featureNames };
}

/**
 * Where predictions' inputs differ from the builder's rows: a line per differing value (or per
 * prediction without a row, or with other inputs), empty when every vector is the builder's.
 */
export function skewOf(
  predictions: readonly PredictionMessage[],
  built: { rows: ReadonlyMap<string, Float32Array>; featureNames: readonly string[] },
): string[] {
  const skewed: string[] = [];
  for (const p of predictions) {
    const row = built.rows.get(p.triggerEventId ?? '');
    if (row === undefined) {
      skewed.push(`${p.triggerEventId}: no training-set row`);
      continue;
    }
    if (p.inputs.map((x) => x.name).join() !== built.featureNames.join()) {
      skewed.push(`${p.triggerEventId}: inputs other than the model's features`);
      continue;
    }
    p.inputs.forEach((x, j) => {
      const same = Number.isNaN(row[j]) ? Number.isNaN(x.value) : Math.fround(x.value) === row[j];
      if (!same) skewed.push(`${p.triggerEventId} ${x.name}: served ${x.value}, built ${row[j]}`);
    });
  }
  return skewed;
}
