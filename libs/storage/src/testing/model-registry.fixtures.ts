// What the model registry specs share (not exported from the barrel): the two databases and a version.
import { createHash, randomBytes } from 'node:crypto';
import { createTestDatabase, randomIdentifier } from '@pulse/testing';
import { initStorage, type Storage } from '../data-source';
import { startEmbeddedPostgres } from '../embedded/embedded-postgres';
import type { NewModelVersion } from '../model-registry/model-registry.types';

export interface StorageBackend {
  start(): Promise<{ storage: Storage; stop(): Promise<void> }>;
}

/** The machine's Postgres (a fresh database, dropped at stop) and embedded PGlite (one connection). */
export const registryBackends: [string, StorageBackend][] = [
  [
    'real Postgres',
    {
      async start() {
        const db = await createTestDatabase('pulse_registry');
        const storage = await initStorage({ url: db.url, poolSize: 4 });
        return {
          storage,
          stop: async () => {
            await storage.close();
            await db.drop();
          },
        };
      },
    },
  ],
  [
    'embedded PGlite',
    {
      async start() {
        const embedded = await startEmbeddedPostgres();
        const storage = await initStorage(embedded.storageOptions);
        return {
          storage,
          stop: async () => {
            await storage.close();
            await embedded.stop();
          },
        };
      },
    },
  ],
];

/** A model name no other test uses (a valid registry name). */
export function uniqueModel(prefix = 'model'): string {
  return randomIdentifier(prefix);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A complete version of `model`; `n` varies its contents. The ONNX bytes hold NUL and 0xff on purpose. */
export function newVersion(model: string, n = 1, overrides: Partial<NewModelVersion> = {}): NewModelVersion {
  const onnx = Buffer.concat([Buffer.from([0, 255, 8, n % 256]), randomBytes(1024)]);
  return {
    model,
    specVersion: 2,
    task: 'binary',
    createdBy: 'registry-spec',
    trainingJobId: null,
    metrics: { auc: 0.8, logloss: 0.41 + n / 1000 },
    gates: [
      { name: 'min_auc', passed: true, value: 0.8, threshold: 0.7, detail: 'auc 0.800 > 0.70' },
      { name: 'beats_baseline', passed: true, value: null, threshold: 0, detail: 'no baseline' },
    ],
    // Listed out of order: the feature order is the index order.
    signature: {
      inputName: 'input',
      inputs: [
        { name: 'learner.streak_days', type: 'float', index: 1 },
        { name: 'learner.completion_rate', type: 'float', index: 0 },
      ],
      outputs: [{ name: 'probabilities', type: 'float', shape: ['N', 2] }],
    },
    lineage: { featureViews: { learner_behaviour: 3 }, rows: { train: 800, test: 200 }, n },
    evaluation: { task: 'binary', metrics: { auc: 0.8 }, roc: { fpr: [0, 0.25, 1], tpr: [0, 0.75, 1] } },
    reportHtml: `<!doctype html><title>${model} ${n}</title><p>évaluation ✓</p>`,
    onnx,
    modelJson: JSON.stringify({ trees: [{ leaf: n }], note: 'ünïcode' }),
    testSample: {
      rows: [
        [0.5, NaN],
        [0.25, 3],
      ],
      scores: [
        [0.4, 0.6],
        [0.7, 0.3],
      ],
    },
    contentSha256: sha256Hex(`${model}/${n}`),
    ...overrides,
  };
}
