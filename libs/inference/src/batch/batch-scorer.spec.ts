/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import type { EngagementEvent } from '@pulse/contracts';
import {
  evaluateOffline,
  FeatureReader,
  foldBatchIntoStore,
  InMemoryOnlineStore,
  type ColumnarRead,
  type EventHistorySource,
} from '@pulse/features';
import { compileModelSpec, dropoutRiskModel, lessonCompletionModel, type CompiledModelSpec } from '@pulse/models';
import { fallbackPrediction } from '../fallbacks/fallback-prediction';
import { lessonCompletionFallback } from '../fallbacks/lesson-completion.fallback';
import { loadServableModel } from '../loading/model-loader';
import { ModelRefusedError } from '../loading/model-refused.error';
import type { ServableModel } from '../loading/servable-model';
import { buildModelInput } from '../scoring/model-input';
import { scorePredictions } from '../scoring/prediction-scorer';
import type { ScoredPrediction } from '../scoring/scored-prediction.types';
import { candidateContents, quickSpec, registry, simulatedEvents, trainQuick } from '../testing/trained-models.fixture';
import type { BatchScoreOptions } from './batch-score.types';
import { scoreEntities } from './batch-scorer';
import type { ScoredChunk } from './scored-chunk';

// The reader, store and registry are the real ones; the event log is a stand-in answering from the
// simulated events in the log's key order.
const log = simulatedEvents(120, 75);
const lessonSpec = compileModelSpec(lessonCompletionModel, registry);
const dropoutSpec = compileModelSpec(dropoutRiskModel, registry);
const entities = [...new Set(log.events.map((e) => e.entityId))];
const byEntity = new Map<string, EngagementEvent[]>();
for (const e of log.events) byEntity.set(e.entityId, [...(byEntity.get(e.entityId) ?? []), e]);
const DAY = 86_400_000;
const AT = log.watermarkMs - 10 * DAY;

const eventLog: EventHistorySource = {
  async *streamForEntities({ entityIds, untilMs }) {
    for (const id of [...entityIds].sort())
      for (const e of byEntity.get(id) ?? []) if (e.eventTimeMs <= untilMs) yield e;
  },
};

function reader(store = new InMemoryOnlineStore({ ttlSeconds: 0 })): FeatureReader {
  return new FeatureReader({ store, events: eventLog, registry });
}

/** What the training-set builder gives for (entity, time): the log's events up to it, replayed, through the vector function. */
function builderInput(compiled: CompiledModelSpec, entityId: string, atMs: number, channel?: string) {
  const values = evaluateOffline(byEntity.get(entityId) ?? [], atMs, registry);
  return buildModelInput(compiled, values, { eventTimeMs: atMs, ...(channel ? { channel } : {}) });
}

async function all(options: BatchScoreOptions): Promise<ScoredChunk[]> {
  const out: ScoredChunk[] = [];
  for await (const chunk of scoreEntities(options)) out.push(chunk);
  return out;
}

describe('scoreEntities', () => {
  let lesson: ServableModel;
  let dropout: ServableModel;
  beforeAll(async () => {
    lesson = await loadServableModel(candidateContents(await trainQuick(quickSpec(lessonCompletionModel), log), 3));
    dropout = await loadServableModel(candidateContents(await trainQuick(quickSpec(dropoutRiskModel), log), 2));
  }, 120_000);
  afterAll(async () => {
    await lesson.close();
    await dropout.close();
  });

  it('gives every entity what a single prediction gives on the builder’s row, chunk by chunk in order', async () => {
    const chunks = await all({
      compiled: lessonSpec,
      servable: lesson,
      alias: 'champion',
      features: reader(),
      entities,
      atMs: AT,
      context: { channel: 'email' },
      chunkSize: 7,
    });
    expect(chunks.map((c) => c.size)).toEqual([...Array(Math.floor(entities.length / 7)).fill(7), entities.length % 7]);
    const inputs = entities.map((id) => builderInput(lessonSpec, id, AT, 'email'));
    // Scored in the same chunks: onnxruntime's float32 sums may differ in the last bit with the batch size.
    const expected: ScoredPrediction[] = [];
    for (let k = 0; k < inputs.length; k += 7)
      expected.push(
        ...(await scorePredictions(lessonSpec, lesson, inputs.slice(k, k + 7), { alias: 'champion', topFactors: 0 })),
      );
    const rows = chunks.flatMap((c) => [...c.rows()]);
    expect(rows.map((r) => r.entityId)).toEqual(entities);
    rows.forEach((r, i) => {
      const p = expected[i];
      expect([r.entityId, r.score, r.label, r.classProbabilities, r.riskTier, r.riskConfidence]).toEqual([
        entities[i],
        p.score,
        p.label,
        p.classProbabilities,
        p.riskTier,
        p.riskConfidence,
      ]);
      expect(r.inputs).toBeUndefined();
      expect(r.featurePath).toBe('offline');
    });
    expect(new Set(rows.map((r) => r.score)).size).toBeGreaterThan(10);
    const last = chunks[chunks.length - 1];
    expect([last.modelVersion, last.alias, last.fallback, last.asOfMs, last.classes]).toEqual([
      3,
      'champion',
      false,
      AT,
      ['0', '1'],
    ]);
    expect(last.progress).toMatchObject({
      entities: entities.length,
      total: entities.length,
      chunks: chunks.length,
      online: 0,
      offline: entities.length,
    });
    expect(chunks.map((c) => c.progress.entities)).toEqual(
      chunks.map((_, k) => Math.min(7 * (k + 1), entities.length)),
    );
  });

  it('reads the online state where it answers the time, with the same rows as the replay', async () => {
    const store = new InMemoryOnlineStore({ ttlSeconds: 0 });
    await foldBatchIntoStore(store, log.events, registry, { stateCache: false });
    const at = log.watermarkMs + DAY;
    const [online, replayed] = await Promise.all(
      [reader(store), reader()].map((features) =>
        all({ compiled: lessonSpec, servable: lesson, alias: 'champion', features, entities, atMs: at }),
      ),
    );
    const last = online[online.length - 1].progress;
    expect([last.online, last.offline]).toEqual([entities.length, 0]);
    const a = online.flatMap((c) => [...c.rows()]);
    const b = replayed.flatMap((c) => [...c.rows()]);
    expect(a.map(({ featurePath: _p, ...r }) => r)).toEqual(b.map(({ featurePath: _p, ...r }) => r));
    expect(a[0].watermarkMs).toBe(Math.max(...byEntity.get(entities[0])!.map((e) => e.eventTimeMs)));
  });

  it('scores a multiclass model into its classes’ probabilities, label and tier', async () => {
    const [chunk] = await all({
      compiled: dropoutSpec,
      servable: dropout,
      alias: 'challenger',
      features: reader(),
      entities: entities.slice(0, 20),
      atMs: AT,
    });
    const expected = await scorePredictions(
      dropoutSpec,
      dropout,
      entities.slice(0, 20).map((id) => builderInput(dropoutSpec, id, AT)),
      { alias: 'challenger', topFactors: 0 },
    );
    expect(chunk.classes).toEqual(['low', 'medium', 'high']);
    expect([...chunk.rows()].map((r) => [r.label, r.classProbabilities, r.riskTier, r.riskConfidence])).toEqual(
      expected.map((p) => [p.label, p.classProbabilities, p.riskTier, p.riskConfidence]),
    );
    expect(chunk.probabilities.length).toBe(20 * 3);
  });

  it('reports each row’s input vector and staleness only when asked', async () => {
    const [chunk] = await all({
      compiled: lessonSpec,
      servable: lesson,
      alias: 'champion',
      features: reader(),
      entities: entities.slice(0, 5),
      atMs: AT,
      includeInputs: true,
    });
    chunk.entityIds.forEach((id, i) => {
      const input = builderInput(lessonSpec, id, AT);
      const reported = chunk.row(i).inputs!;
      expect(reported.map((x) => x.name)).toEqual(lessonSpec.featureNames);
      expect(reported.map((x) => x.value)).toEqual(Array.from(input.vector));
      expect(reported.map((x) => x.stalenessMs)).toEqual(Array.from(input.staleness!));
    });
  });

  it('answers with the model’s rule when no version serves', async () => {
    const chunks = await all({
      compiled: lessonSpec,
      servable: null,
      alias: 'champion',
      features: reader(),
      entities,
      atMs: AT,
      fallbackReason: 'no champion',
    });
    const rows = chunks.flatMap((c) => [...c.rows()]);
    expect([chunks[0].fallback, chunks[0].modelVersion, chunks[0].alias, chunks[0].fallbackReason]).toEqual([
      true,
      0,
      'fallback',
      'no champion',
    ]);
    rows.forEach((r) => {
      const p = fallbackPrediction(lessonCompletionFallback, evaluateOffline(byEntity.get(r.entityId)!, AT, registry), {
        eventTimeMs: AT,
      });
      expect([r.score, r.label, r.classProbabilities, r.riskTier, r.riskConfidence]).toEqual([
        p.score,
        p.label,
        p.classProbabilities,
        p.riskTier,
        p.riskConfidence,
      ]);
    });
    expect(new Set(rows.map((r) => r.score)).size).toBeGreaterThan(5);
  });

  it('takes entities from an async iterable and stops reading once the consumer stops', async () => {
    const asked: number[] = [];
    const base = reader();
    const counting = {
      readColumns: (ids: readonly string[], atMs: number, views?: readonly string[]): Promise<ColumnarRead> => {
        asked.push(ids.length);
        return base.readColumns(ids, atMs, views);
      },
    };
    async function* ids() {
      for (const id of entities) yield id;
    }
    for await (const chunk of scoreEntities({
      compiled: lessonSpec,
      servable: lesson,
      alias: 'champion',
      features: counting,
      entities: ids(),
      atMs: AT,
      chunkSize: 10,
    })) {
      expect(chunk.progress.total).toBeUndefined();
      break;
    }
    // the first chunk, and the next one read while the first was consumed
    expect(asked).toEqual([10, 10]);
  });

  it('names what is wrong', async () => {
    const base = {
      compiled: lessonSpec,
      servable: lesson,
      alias: 'champion',
      features: reader(),
      entities,
      atMs: AT,
    } satisfies BatchScoreOptions;
    await expect(all({ ...base, chunkSize: 0 })).rejects.toThrow(/options\.chunkSize must be an integer from 1 to/);
    await expect(all({ ...base, atMs: NaN })).rejects.toThrow(/options\.atMs must be an integer epoch ms/);
    await expect(all({ ...base, alias: '' })).rejects.toThrow(/options\.alias/);
    await expect(all({ ...base, entities: ['a', 'b', ''] })).rejects.toThrow(
      /entities\[2\] must be a non-empty string/,
    );
    const wrong = all({ ...base, servable: dropout });
    await expect(wrong).rejects.toThrow(ModelRefusedError);
    await expect(all({ ...base, servable: dropout })).rejects.toThrow(/is a version of "dropout_risk"/);
    await expect(
      all({ ...base, servable: null, fallback: lessonCompletionFallback, compiled: dropoutSpec }),
    ).rejects.toThrow(/options\.fallback is the rule of "lesson_completion", the spec is "dropout_risk"/);
  });
});
