/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { createHash } from 'node:crypto';
import { exportOnnx, modelFromJson, type GbdtModel } from '@pulse/gbdt';
import { compileModelSpec, dropoutRiskModel, lessonCompletionModel } from '@pulse/models';
import type { TrainedCandidate } from '@pulse/training';
import {
  candidateContents,
  contentsOf,
  quickSpec,
  registry,
  simulatedEvents,
  trainQuick,
  truncated,
} from '../testing/trained-models.fixture';
import { loadServableModel } from './model-loader';
import { ModelRefusedError, type RefusalCheck } from './model-refused.error';
import type { ModelVersionContents } from './model-version.types';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

async function refusal(contents: ModelVersionContents, options = {}): Promise<ModelRefusedError> {
  try {
    const s = await loadServableModel(contents, options);
    await s.close();
  } catch (e) {
    if (e instanceof ModelRefusedError) return e;
    throw e;
  }
  throw new Error('the version was not refused');
}

describe('loadServableModel', () => {
  const log = simulatedEvents(120, 75);
  let lesson: TrainedCandidate;
  let dropout: TrainedCandidate;
  let gbdt: GbdtModel;
  beforeAll(async () => {
    lesson = await trainQuick(quickSpec(lessonCompletionModel), log);
    dropout = await trainQuick(quickSpec(dropoutRiskModel), log);
    gbdt = modelFromJson(lesson.modelJson);
  }, 120_000);

  it('serves a real binary version: P(positive) per row, equal to the recorded test scores', async () => {
    const s = await loadServableModel(candidateContents(lesson, 3));
    const { rows, scores } = lesson.testSample;
    const F = s.numFeatures;
    const matrix = Float32Array.from(rows.flat());
    const out = await s.score(matrix, rows.length);
    expect([s.model, s.version, s.task, s.outputWidth, s.classes]).toEqual([
      'lesson_completion',
      3,
      'binary',
      1,
      ['0', '1'],
    ]);
    expect(s.featureNames).toEqual(compileModelSpec(lessonCompletionModel, registry).featureNames);
    expect(F).toBe(lesson.signature.inputs.length);
    scores.forEach((sc, i) => expect(out[i]).toBeCloseTo(sc[0], 5));
    await s.close();
    expect(s.closed).toBe(true);
    await expect(s.score(matrix, rows.length)).rejects.toThrow(/closed/);
  });

  it('serves a real multiclass version: class probabilities in the spec’s order', async () => {
    const s = await loadServableModel(candidateContents(dropout), {
      featureNames: compileModelSpec(dropoutRiskModel, registry).featureNames,
    });
    expect([s.task, s.outputWidth, s.classes]).toEqual(['multiclass', 3, ['low', 'medium', 'high']]);
    const row = Float32Array.from(dropout.testSample.rows[0] as number[]);
    const out = await s.score(row, 1);
    dropout.testSample.scores[0].forEach((p, k) => expect(out[k]).toBeCloseTo(p, 5));
    await s.close();
  });

  it('accepts a test sample stored as JSON (missing values as null) and a Buffer artifact', async () => {
    const stored = JSON.parse(JSON.stringify(lesson.testSample));
    const s = await loadServableModel({
      ...candidateContents(lesson),
      onnx: Buffer.from(lesson.onnx),
      testSample: stored,
    });
    await s.close();
  });

  const refusedBy: [string, () => ModelVersionContents, RefusalCheck, RegExp][] = [
    [
      'a flipped byte (the recorded sha kept)',
      () => {
        const onnx = Uint8Array.from(lesson.onnx);
        onnx[onnx.length >> 1] ^= 0xff;
        return { ...candidateContents(lesson), onnx };
      },
      'sha256',
      /ONNX artifact's sha256 is [0-9a-f]{64}, the registry recorded/,
    ],
    ['a wrong recorded sha', () => ({ ...candidateContents(lesson), onnxSha256: sha256('other') }), 'sha256', /ONNX/],
    [
      'a model JSON that is not the recorded one',
      () => ({ ...candidateContents(lesson), modelJson: lesson.modelJson + ' ' }),
      'sha256',
      /model JSON artifact's sha256/,
    ],
    [
      'bytes onnxruntime cannot load (with their own sha)',
      () => {
        const onnx = lesson.onnx.slice(0, lesson.onnx.length - 100);
        return { ...candidateContents(lesson), onnx, onnxSha256: sha256(onnx) };
      },
      'onnx_load',
      /onnxruntime cannot load/,
    ],
    [
      'a renamed input tensor',
      () => withOnnx(lesson, exportOnnx(gbdt, { inputName: 'features' })),
      'signature',
      /ONNX inputs are \[features\], the signature expects one input "input"/,
    ],
    [
      'renamed features in the ONNX metadata',
      () => {
        const names = [...gbdt.featureNames];
        names[2] = 'learner_behaviour.renamed';
        return withOnnx(lesson, exportOnnx({ ...gbdt, featureNames: names }));
      },
      'signature',
      /metadata's feature names differ from the signature's: input 2 is "learner_behaviour.renamed"/,
    ],
    [
      'a wider input',
      () => withOnnx(lesson, exportOnnx({ ...gbdt, featureNames: [...gbdt.featureNames, 'extra'] })),
      'signature',
      /shape is \[N, (\d+)\], the signature has \d+ inputs/,
    ],
    [
      'a signature narrower than the ONNX input',
      () => {
        const c = candidateContents(lesson);
        const inputs = c.signature.inputs.slice(0, -1);
        return { ...c, signature: { ...c.signature, inputs } };
      },
      'signature',
      /shape is \[N, \d+\], the signature has \d+ inputs/,
    ],
    [
      'an ONNX of a different model (its own sha, same inputs)',
      () => withOnnx(lesson, exportOnnx(truncated(gbdt, gbdt.numRounds - 3))),
      'test_sample',
      /the ONNX model gives .* for test row 0, the sample records/,
    ],
    [
      'a model JSON of a different model',
      () => {
        const other = contentsOf('lesson_completion', truncated(gbdt, 5), lesson.signature, lesson.testSample.rows, 1);
        return { ...candidateContents(lesson), modelJson: other.modelJson, modelJsonSha256: other.modelJsonSha256 };
      },
      'test_sample',
      /the model JSON gives/,
    ],
    [
      'an empty test sample',
      () => ({ ...candidateContents(lesson), testSample: { rows: [], scores: [] } }),
      'test_sample',
      /no rows/,
    ],
  ];

  it.each(refusedBy)('refuses %s, naming the check', async (_, make, check, message) => {
    const e = await refusal(make());
    expect(e.check).toBe(check);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^lesson_completion version 1 refused/);
    expect(e.retriable).toBe(false);
  });

  it('refuses a version whose inputs are not the serving spec’s vector', async () => {
    const names = compileModelSpec(lessonCompletionModel, registry).featureNames;
    const e = await refusal(candidateContents(lesson), { featureNames: [...names].reverse() });
    expect(e.check).toBe('signature');
    expect(e.message).toMatch(/differ from the spec's input vector: input 0 is/);
  });

  it('refuses a version recorded as another task than its model', async () => {
    const e = await refusal({ ...candidateContents(lesson), task: 'multiclass' });
    expect([e.check, e.message]).toEqual([
      'signature',
      expect.stringMatching(/recorded as multiclass, its model is binary/),
    ]);
  });

  it('checks its arguments', async () => {
    await expect(loadServableModel({ ...candidateContents(lesson), version: 0 })).rejects.toThrow(
      /contents\.version must be a positive integer/,
    );
  });
});

function withOnnx(candidate: TrainedCandidate, onnx: Uint8Array): ModelVersionContents {
  return { ...candidateContents(candidate), onnx, onnxSha256: sha256(onnx) };
}
