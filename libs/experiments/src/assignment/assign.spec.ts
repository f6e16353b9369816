import { defineExperiment } from '../definition/define-experiment';
import type { Experiment, ExperimentDefinition } from '../definition/experiment.types';
import { assign } from './assign';

// Buckets for key "my-test" with hash version 1: unit "1" → 0.969, "2" → 0.122, 7 → 0.067.
const test = (patch: Partial<ExperimentDefinition<string>> = {}) =>
  defineExperiment<string>({ key: 'my-test', variations: ['a', 'b'], ...patch });

describe('assign', () => {
  it('places a unit by its bucket', () =>
    expect(assign(test(), { id: '1' })).toEqual({
      inExperiment: true,
      hashUsed: true,
      variationId: 1,
      value: 'b',
      key: '1',
      hashAttribute: 'id',
      hashValue: '1',
      bucket: 0.969,
    }));
  it('reports meta key and name', () =>
    expect(assign(test({ meta: [{ key: 'ctl', name: 'Control' }, {}] }), { id: '2' })).toMatchObject({
      key: 'ctl',
      name: 'Control',
    }));
  it('reports passthrough', () =>
    expect(assign(test({ meta: [{}, { passthrough: true }] }), { id: '1' })).toMatchObject({ passthrough: true }));
  it('follows uneven weights', () => expect(assign(test({ weights: [0.05, 0.95] }), { id: '7' }).variationId).toBe(1));
  it('hashes a number id as text, reporting it as given', () =>
    expect(assign(test(), { id: 7 })).toMatchObject({ variationId: 0, hashValue: 7, bucket: 0.067 }));
  it('uses hash version 2 and the seed', () =>
    expect(assign(test({ hashVersion: 2, seed: 'foo' }), { id: '1' })).toMatchObject({ bucket: 0.5844 }));
  it('uses the hash attribute', () =>
    expect(assign(test({ hashAttribute: 'learner' }), { id: '2', learner: '1' })).toMatchObject({
      hashAttribute: 'learner',
      variationId: 1,
    }));
  it('ignores fallbackAttribute, as GrowthBook does without sticky bucketing', () =>
    expect(assign(test({ hashAttribute: 'learner', fallbackAttribute: 'id' }), { id: '1' })).toMatchObject({
      reason: 'missing-hash-attribute',
    }));
  it('keeps a forced variation within coverage', () =>
    expect(assign(test({ force: 0 }), { id: '1' })).toMatchObject({
      inExperiment: true,
      hashUsed: false,
      variationId: 0,
    }));
  it('keeps a forced variation of a stopped experiment, as GrowthBook does', () =>
    expect(assign(test({ force: 0, status: 'stopped' }), { id: '1' }).inExperiment).toBe(true));
  it('is inside a window', () =>
    expect(
      assign(test({ startAt: '2025-01-01T00:00:00Z' }), { id: '1' }, { at: new Date('2025-01-02') }).inExperiment,
    ).toBe(true));
  it('refuses an invalid time', () =>
    expect(() => assign(test(), { id: '1' }, { at: NaN })).toThrow(new RangeError('at must be a valid time, got NaN')));
  it('takes only defined experiments', () =>
    expect(() => assign({ ...test() } as Experiment<string>, { id: '1' })).toThrow(
      /must be a value returned by defineExperiment/,
    ));

  it.each([
    ['inactive', test({ active: false }), { id: '1' }, {}],
    ['draft', test({ status: 'draft' }), { id: '1' }, {}],
    ['not-started', test({ startAt: '2025-01-01T00:00:00Z' }), { id: '1' }, { at: Date.parse('2024-12-31T23:59:59Z') }],
    ['ended', test({ endAt: '2025-01-01T00:00:00Z' }), { id: '1' }, { at: Date.parse('2025-01-01T00:00:00Z') }],
    ['missing-hash-attribute', test(), {}, {}],
    ['missing-hash-attribute', test(), { id: 0 }, {}],
    ['filtered-out', test({ filters: [{ seed: 'seed', ranges: [[0, 0.01]] }] }), { id: '1' }, {}],
    ['not-in-namespace', test({ namespace: ['layer', 0, 0.2] }), { id: '2' }, {}],
    ['condition-failed', test({ condition: { country: 'DE' } }), { id: '1', country: 'FR' }, {}],
    ['not-in-coverage', test({ coverage: 0.5 }), { id: '1' }, {}],
    ['stopped', test({ status: 'stopped' }), { id: '1' }, {}],
  ] as const)('leaves the unit out: %s', (reason, experiment, attributes, options) =>
    expect(assign(experiment, attributes, options)).toMatchObject({
      inExperiment: false,
      hashUsed: false,
      variationId: 0,
      value: 'a',
      key: '0',
      reason,
    }),
  );

  it('lets a unit in its namespace range', () =>
    expect(assign(test({ namespace: ['layer', 0, 0.2] }), { id: '1' }).inExperiment).toBe(true));
  it('resolves saved groups in conditions', () =>
    expect(
      assign(test({ condition: { id: { $inGroup: 'staff' } } }), { id: '1' }, { savedGroups: { staff: ['1'] } })
        .inExperiment,
    ).toBe(true));
});
