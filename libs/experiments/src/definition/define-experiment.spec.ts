import { DefinitionError } from '@pulse/core';
import { defineExperiment } from './define-experiment';
import type { ExperimentDefinition } from './experiment.types';

const base: ExperimentDefinition<string> = {
  key: 'lesson-reminder',
  variations: ['control', 'nudge'],
  meta: [{ key: 'control', name: 'Control' }, { key: 'nudge' }],
  metrics: ['lesson_completed'],
};
const metrics = ['lesson_completed', 'assessment_accuracy'];

function broken(patch: Record<string, unknown>): ExperimentDefinition {
  return { ...base, ...patch } as ExperimentDefinition;
}

describe('defineExperiment', () => {
  const experiment = defineExperiment(base, { metrics });

  it('resolves GrowthBook’s defaults', () =>
    expect(experiment).toMatchObject({
      weights: [0.5, 0.5],
      coverage: 1,
      hashAttribute: 'id',
      hashVersion: 1,
      seed: 'lesson-reminder',
      status: 'running',
      version: 1,
    }));
  it('is deeply frozen', () => expect(Object.isFrozen(experiment.meta?.[0])).toBe(true));
  it('leaves the caller’s object alone', () => expect(Object.isFrozen(base.meta)).toBe(false));
  it('defines a defined experiment to an equal value', () => expect(defineExperiment(experiment)).toEqual(experiment));
  it('keeps an empty seed as the key', () =>
    expect(defineExperiment(broken({ seed: '' })).seed).toBe('lesson-reminder'));
  it('takes weights and coverage from ranges', () =>
    expect(
      defineExperiment(
        broken({
          ranges: [
            [0, 0.1],
            [0.5, 0.8],
          ],
        }),
      ),
    ).toMatchObject({ coverage: 0.4 }));
  it('accepts weights within 1e-6 of 1', () =>
    expect(defineExperiment(broken({ weights: [0.3333333, 0.6666666] })).weights).toEqual([0.3333333, 0.6666666]));

  it.each([
    ['not an object', null, /experiment "\(no key\)" definition: must be an object/],
    ['key', broken({ key: ' spaced ' }), /key: must be a non-empty string/],
    [
      'one variation',
      broken({ variations: ['only'], meta: undefined }),
      /variations: must list at least two variations, got 1/,
    ],
    ['weights count', broken({ weights: [1] }), /weights: has 1 weights for 2 variations/],
    ['weights sum', broken({ weights: [0.5, 0.4] }), /weights: must sum to 1, got 0.9/],
    ['negative weight', broken({ weights: [1.5, -0.5] }), /weights\[1\]: must be a finite number ≥ 0, got -0.5/],
    ['coverage', broken({ coverage: 1.2 }), /coverage: must be a number in \[0, 1\], got 1.2/],
    ['hash version', broken({ hashVersion: 3 }), /hashVersion: must be 1 or 2, got 3/],
    ['hash attribute', broken({ hashAttribute: '' }), /hashAttribute: must name an attribute/],
    ['seed', broken({ seed: 7 }), /seed: must be a string/],
    ['namespace shape', broken({ namespace: ['layer', 0.5] }), /namespace: must be \[name, start, end\]/],
    ['namespace name', broken({ namespace: ['', 0, 0.5] }), /namespace\[0\]: must name the namespace/],
    [
      'namespace range',
      broken({ namespace: ['layer', 0.6, 0.4] }),
      /namespace: range must satisfy 0 ≤ start < end ≤ 1/,
    ],
    ['namespace beyond 1', broken({ namespace: ['layer', 0.5, 1.5] }), /namespace: range must satisfy/],
    ['filters and namespace', broken({ namespace: ['l', 0, 1], filters: [] }), /filters: replace namespace/],
    [
      'filter ranges',
      broken({ filters: [{ seed: 's', ranges: [] }] }),
      /filters\[0\].ranges: must list at least one range/,
    ],
    ['ranges count', broken({ ranges: [[0, 1]] }), /ranges: must give one \[start, end\] range per variation \(2\)/],
    [
      'ranges bounds',
      broken({
        ranges: [
          [0, 0.5],
          [0.5, 1.1],
        ],
      }),
      /ranges\[1\]: must satisfy 0 ≤ start ≤ end ≤ 1/,
    ],
    [
      'ranges overlap',
      broken({
        ranges: [
          [0, 0.6],
          [0.5, 1],
        ],
      }),
      /ranges\[1\]: overlaps ranges\[0\]/,
    ],
    [
      'ranges and weights',
      broken({
        ranges: [
          [0, 0.5],
          [0.5, 1],
        ],
        weights: [0.9, 0.1],
      }),
      /weights: must agree with ranges/,
    ],
    [
      'ranges and coverage',
      broken({
        ranges: [
          [0, 0.5],
          [0.5, 1],
        ],
        coverage: 0.5,
      }),
      /coverage: must agree with ranges \(1\)/,
    ],
    ['meta count', broken({ meta: [{ key: 'a' }] }), /meta: must describe each of the 2 variations/],
    ['meta key twice', broken({ meta: [{ key: 'a' }, { key: 'a' }] }), /meta\[1\].key: "a" names two variations/],
    ['meta key is another index', broken({ meta: [{}, { key: '0' }] }), /meta\[1\].key: "0" names two variations/],
    ['force', broken({ force: 2 }), /force: must be a variation index in \[0, 1\], got 2/],
    ['condition operator', broken({ condition: { age: { $older: 3 } } }), /condition.age.\$older: unknown operator/],
    ['condition regex', broken({ condition: { os: { $regex: '(' } } }), /condition.os.\$regex: is not a valid regular/],
    [
      'condition $in',
      broken({ condition: { $or: [{ os: { $in: 'ios' } }] } }),
      /condition.\$or\[0\].os.\$in: must be an array/,
    ],
    ['unsupported field', broken({ parentConditions: [] }), /parentConditions: is not supported/],
    ['status', broken({ status: 'paused' }), /status: must be one of draft, running, stopped, got paused/],
    ['startAt', broken({ startAt: '31/01/2025' }), /startAt: must be an ISO 8601 instant/],
    [
      'endAt before startAt',
      broken({ startAt: '2025-02-01T00:00:00Z', endAt: '2025-01-01T00:00:00Z' }),
      /endAt: must be after startAt/,
    ],
    [
      'metric twice',
      broken({ metrics: ['lesson_completed', 'lesson_completed'] }),
      /metrics\[1\]: "lesson_completed" is listed twice/,
    ],
    [
      'unknown metric',
      broken({ metrics: ['revenue'] }),
      /metrics\[0\]: unknown metric "revenue" \(known: lesson_completed, assessment_accuracy\)/,
    ],
    ['version', broken({ version: 0 }), /version: must be a positive integer, got 0/],
    [
      'non-JSON variation',
      broken({ variations: [() => 1, 2], meta: undefined }),
      /definition: must hold JSON values only/,
    ],
  ])('refuses %s', (_rule, def, message) => {
    const define = () => defineExperiment(def as ExperimentDefinition, { metrics });
    expect(define).toThrow(DefinitionError);
    expect(define).toThrow(message);
  });

  it('names the experiment', () =>
    expect(() => defineExperiment(broken({ coverage: -1 }))).toThrow(/^experiment "lesson-reminder" coverage: /));
  it('checks metric names only for shape without a known list', () =>
    expect(defineExperiment(broken({ metrics: ['revenue'] })).metrics).toEqual(['revenue']));
});
