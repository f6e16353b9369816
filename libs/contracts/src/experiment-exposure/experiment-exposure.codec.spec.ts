import { decodeExperimentChange, encodeExperimentChange } from '../experiment-change/experiment-change.codec';
import { ContractMessageError } from '../training-request/contract-message.error';
import {
  decodeExperimentExposure,
  encodeExperimentExposure,
  type ExperimentExposureMessage,
} from './experiment-exposure.codec';
import { exposureId } from './exposure-id';

const exposure: ExperimentExposureMessage = {
  exposureId: exposureId('exp', 'learner-1'),
  experimentKey: 'exp',
  variant: 'long',
  unitId: 'learner-1',
  exposedAtMs: 1_767_225_600_000,
  triggerEventId: 'evt-1',
  predictionId: 'p-1',
  model: 'lesson_completion',
  modelVersion: 3,
  context: { channel: 'email' },
};

describe('experiment exposures and changes', () => {
  it('gives one exposure id per experiment and unit (UUID v5), different across either', () => {
    expect(exposureId('exp', 'learner-1')).toBe(exposureId('exp', 'learner-1'));
    expect(exposureId('exp', 'learner-1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(exposureId('exp', 'learner-2')).not.toBe(exposureId('exp', 'learner-1'));
    expect(exposureId('exp2', 'learner-1')).not.toBe(exposureId('exp', 'learner-1'));
    // The separator keeps ("a", "b\0c")-like splits apart, and NUL is refused.
    expect(() => exposureId('a\u0000b', 'c')).toThrow(RangeError);
    expect(() => exposureId('', 'c')).toThrow(TypeError);
  });

  it.each(['json', 'proto'] as const)('round-trips an exposure as %s', (format) => {
    const encoded = encodeExperimentExposure(exposure, format);
    expect(decodeExperimentExposure(encoded.value, encoded.contentType)).toEqual(exposure);
  });

  it('refuses a broken exposure naming the field', () => {
    const bad = (json: unknown) => () =>
      decodeExperimentExposure(Buffer.from(JSON.stringify(json)), 'application/json');
    const { exposureId: _, ...noId } = exposure;
    expect(bad(noId)).toThrow(ContractMessageError);
    expect(bad(noId)).toThrow(/exposureId/);
    expect(bad({ ...exposure, exposedAtMs: 'yesterday' })).toThrow(/exposedAtMs/);
    expect(bad({ ...exposure, extra: 1 })).toThrow(/extra/);
  });

  it('round-trips a change and refuses one whose definition is of another key', () => {
    const change = {
      key: 'exp',
      version: 4,
      changedAtMs: 1000,
      actor: 'eva',
      definition: { key: 'exp', variations: [0, 1] },
    };
    expect(decodeExperimentChange(encodeExperimentChange(change).value)).toEqual(change);
    expect(decodeExperimentChange(encodeExperimentChange({ ...change, definition: null }).value).definition).toBeNull();
    expect(() =>
      decodeExperimentChange(Buffer.from(JSON.stringify({ ...change, definition: { key: 'other' } }))),
    ).toThrow(/definition.key/);
    expect(() => decodeExperimentChange(Buffer.from(JSON.stringify({ ...change, version: 0 })))).toThrow(/version/);
  });
});
