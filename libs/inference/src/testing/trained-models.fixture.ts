/**
 * Small real models for specs and benches: the default specs trained on a simulated log with fewer
 * rounds, and a version's contents made from a tree model the way training registers one.
 */
import { createHash } from 'node:crypto';
import type { EngagementEvent } from '@pulse/contracts';
import { FeatureRegistry, LEARNING_ENGAGEMENT_VIEWS } from '@pulse/features';
import { createDataset, exportOnnx, modelToJson, predict, type GbdtModel } from '@pulse/gbdt';
import { defineModelSpec, type ModelSpec } from '@pulse/models';
import { createSimulation } from '@pulse/simulator';
import { trainModel, type TrainedCandidate } from '@pulse/training';
import type { ModelVersionContents, VersionSignature } from '../loading/model-version.types';

export const registry = new FeatureRegistry(LEARNING_ENGAGEMENT_VIEWS);

export interface SimulatedEvents {
  readonly events: EngagementEvent[];
  readonly watermarkMs: number;
}

/** A fixed simulated log grouped by entity, as the event log streams it. */
export function simulatedEvents(learners: number, days: number, seed = 11): SimulatedEvents {
  const events = [...createSimulation({ seed, learners, days, startTimeMs: Date.UTC(2026, 0, 5) })];
  const watermarkMs = events.reduce((m, e) => Math.max(m, e.eventTimeMs), -Infinity);
  events.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
  return { events, watermarkMs };
}

/** The spec with a quick schedule (few rounds at a high learning rate) that a small log can train. */
export function quickSpec(spec: ModelSpec, rounds = 40): ModelSpec {
  return defineModelSpec({
    ...spec,
    params: { ...spec.params, eta: 0.2, num_boost_round: rounds, early_stopping_rounds: 10 },
    tuning: undefined,
    minRows: 100,
  });
}

export async function trainQuick(spec: ModelSpec, log: SimulatedEvents): Promise<TrainedCandidate> {
  return trainModel({ spec, registry, events: log.events, watermarkMs: log.watermarkMs });
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** What the registry hands out for a trained candidate, under `version`. */
export function candidateContents(candidate: TrainedCandidate, version = 1): ModelVersionContents {
  return {
    model: candidate.model,
    version,
    task: candidate.task,
    signature: candidate.signature,
    testSample: candidate.testSample,
    onnx: candidate.onnx,
    onnxSha256: sha256(candidate.onnx),
    modelJson: candidate.modelJson,
    modelJsonSha256: sha256(candidate.modelJson),
  };
}

/**
 * A version's contents for another tree model on the same inputs (e.g. fewer rounds): its own ONNX
 * export, digests and test-sample scores, so it passes every check and scores differently.
 */
export function contentsOf(
  model: string,
  gbdt: GbdtModel,
  signature: VersionSignature,
  rows: readonly (readonly number[])[],
  version: number,
): ModelVersionContents {
  const onnx = exportOnnx(gbdt, { inputName: signature.inputName });
  const modelJson = modelToJson(gbdt);
  const columns = gbdt.featureNames.map((_, f) => Float32Array.from(rows, (r) => r[f]));
  const json = predict(gbdt, createDataset({ columns }));
  const K = json.length / rows.length;
  const scores = rows.map((_, i) => Array.from(json.subarray(i * K, i * K + K)));
  return {
    model,
    version,
    task: gbdt.objective === 'multi:softprob' ? 'multiclass' : 'binary',
    signature,
    testSample: { rows, scores },
    onnx,
    onnxSha256: sha256(onnx),
    modelJson,
    modelJsonSha256: sha256(modelJson),
  };
}

/** The same model keeping only its first `rounds` rounds: another model on the same inputs. */
export function truncated(gbdt: GbdtModel, rounds: number): GbdtModel {
  const perRound = gbdt.objective === 'multi:softprob' ? gbdt.numClass : 1;
  return {
    ...gbdt,
    numRounds: rounds,
    trees: gbdt.trees.slice(0, rounds * perRound),
    treeClass: gbdt.treeClass.slice(0, rounds * perRound),
  };
}
