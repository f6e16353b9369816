import { DefinitionError } from '@pulse/core';
import { defineFeatureView } from '../definition/feature-view.builder';
import type { FeatureDefinition } from '../definition/feature-view.types';
import { applyEvents } from '../engine/apply-events';
import { emptyState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import { FeatureRegistry } from '../engine/feature-registry';
import { LEARNING_EVENT_SCHEMA } from '../learning-engagement/event-schema';
import { answer, event, HOUR, MIN, T0 } from '../testing/test-views';
import { bucketOf } from './histogram.aggregation';

const view = (features: FeatureDefinition[]) =>
  defineFeatureView({
    name: 'v',
    version: 1,
    entity: 'learner',
    sources: ['assessment_answered', 'path_progress'],
    schema: LEARNING_EVENT_SCHEMA,
    features,
  });
const registry = new FeatureRegistry([
  view([
    { name: 'secs', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [10, 60] },
    { name: 'secs_1h', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [10, 60], window: '1h' },
    { name: 'correct', aggregation: 'histogram', of: 'attributes.is_correct', edges: [0.5] },
    {
      name: 'difficulty',
      aggregation: 'histogram',
      of: 'attributes.difficulty',
      map: { beginner: 1, advanced: 3 },
      edges: [2],
    },
  ]),
]);

describe('bucketOf', () => {
  it.each([
    [-1e9, 0],
    [9.99, 0],
    [10, 1],
    [59, 1],
    [60, 2],
    [1e9, 2],
  ])('%p falls in bucket %p of edges [10, 60]', (v, b) => expect(bucketOf([10, 60], v)).toBe(b));
});

describe('histogram', () => {
  const { state } = applyEvents(
    emptyState(),
    [
      answer('a', 1, true, 5),
      answer('b', 2, false, 10),
      answer('c', 3, true, 59.5),
      answer('d', 70, true, 60),
      answer('e', 71, true, 600),
      event('f', 72, 'assessment_answered', {}, { is_correct: true, time_taken_seconds: Number.NaN }),
      event('g', 73, 'assessment_answered', {}, { is_correct: false }),
      event('p', 74, 'path_progress', {}, { difficulty: 'advanced', completion_percentage: 1 }),
      event('q', 75, 'path_progress', {}, { difficulty: 'expert', completion_percentage: 1 }),
    ],
    registry,
  );
  const v = evaluate(state, T0 + 80 * MIN, registry).v;
  it('counts values per bucket: underflow, [edge, next edge), overflow', () =>
    expect(v.values.secs).toEqual([1, 2, 2]));
  it('leaves out non-finite and missing values (and their freshness)', () => expect(v.freshness.secs).toBe(9 * MIN));
  it('over a window, the tiles it covers', () => expect(v.values.secs_1h).toEqual([0, 0, 2]));
  it('counts booleans as 0/1', () => expect(v.values.correct).toEqual([2, 5]));
  it('counts mapped strings, leaving out unmapped ones', () => expect(v.values.difficulty).toEqual([0, 1]));
  it('is all zeros with no events', () => {
    const later = evaluate(state, T0 + 3 * HOUR, registry).v;
    expect([later.values.secs_1h, later.freshness.secs_1h]).toEqual([[0, 0, 0], null]);
  });
});

describe('histogram definitions', () => {
  it.each<[string, Partial<FeatureDefinition>, RegExp]>([
    ['edges missing', {}, /feature "h": histogram needs option edges \(a list of 1 to 64 finite/],
    ['edges empty', { edges: [] }, /edges must be a list of 1 to 64 numbers, got 0 items/],
    ['edges not a list', { edges: 5 as never }, /edges must be a list of 1 to 64 numbers, got 5/],
    ['too many edges', { edges: Array.from({ length: 65 }, (_, i) => i) }, /got 65 items/],
    [
      'unsorted edges',
      { edges: [1, 5, 3] },
      /feature "h": edges must be strictly increasing: edges\[2\] = 3 is not above edges\[1\] = 5/,
    ],
    ['repeated edge', { edges: [1, 1] }, /edges\[1\] = 1 is not above edges\[0\] = 1/],
    ['NaN edge', { edges: [1, Number.NaN] }, /edges\[1\] must be a finite number, got NaN/],
    ['infinite edge', { edges: [-Infinity, 0] }, /edges\[0\] must be a finite number, got -Infinity/],
    ['string edge', { edges: ['1'] as never }, /edges\[0\] must be a finite number, got 1/],
    [
      'string field',
      { edges: [1], of: 'channel' },
      /histogram needs a numeric or boolean field \(or a map\); "channel" is string/,
    ],
    ['decimals', { edges: [1], decimals: 2 }, /decimals applies to sum, mean and variance/],
  ])('%s', (_label, change, message) => {
    const build = () =>
      view([
        { name: 'h', aggregation: 'histogram', of: 'attributes.time_taken_seconds', ...change } as FeatureDefinition,
      ]);
    expect(build).toThrow(DefinitionError);
    expect(build).toThrow(message);
  });
  it('edges on another aggregation', () =>
    expect(() => view([{ name: 'n', aggregation: 'count', edges: [1] }])).toThrow(
      /feature "n": edges applies to histogram/,
    ));
  it('features with other edges keep other accumulators, the same edges share one', () => {
    const v = view([
      { name: 'a', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [1] },
      { name: 'b', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [1] },
      { name: 'c', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [2] },
    ]);
    const plan = new FeatureRegistry([v]).registered('v')!.plan;
    expect(plan.lifetime.map((a) => a.width)).toEqual([4, 4]);
  });
});
