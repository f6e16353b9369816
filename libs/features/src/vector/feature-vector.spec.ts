import { DefinitionError } from '@pulse/core';
import { applyEvents } from '../engine/apply-events';
import { emptyState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import { learningEngagementRegistry } from '../learning-engagement/learning-engagement';
import { allAggregationsRegistry, answer, event, MIN, T0 } from '../testing/test-views';
import { defineFeatureView } from '../definition/feature-view.builder';
import { FeatureRegistry } from '../engine/feature-registry';
import { LEARNING_EVENT_SCHEMA } from '../learning-engagement/event-schema';
import { featureColumns, toFeatureVector } from './feature-vector';

const registry = learningEngagementRegistry();

describe('feature vectors', () => {
  const columns = featureColumns(registry);
  it('lists numeric columns in view then feature order, one-hot columns for categorical features', () => {
    expect(columns[0].name).toBe('learner_behaviour.lessons_sent');
    expect(columns.filter((c) => c.feature === 'primary_channel').map((c) => c.name)).toEqual([
      'learner_engagement.primary_channel=slack',
      'learner_engagement.primary_channel=sms',
      'learner_engagement.primary_channel=email',
      'learner_engagement.primary_channel=web',
    ]);
    expect(new Set(columns.map((c) => c.name)).size).toBe(columns.length);
    expect(columns.length).toBeGreaterThanOrEqual(60);
  });
  it('encodes values: numbers as is, null as NaN, one-hot 1 for the value', () => {
    const { state } = applyEvents(
      emptyState(),
      [event('a', 1, 'lesson_sent', { channel: 'sms' }), event('b', 2, 'lesson_completed', { channel: 'sms' })],
      registry,
    );
    const cols = featureColumns(registry, [
      'learner_behaviour.lesson_completion_rate',
      'learner_behaviour.assessment_accuracy',
      'learner_engagement.primary_channel',
    ]);
    expect(toFeatureVector(evaluate(state, T0 + 3 * MIN, registry), cols)).toEqual([1, NaN, 0, 1, 0, 0]);
  });
  it('encodes a histogram as a count per bucket and a topK as the declared categories’ counts', () => {
    const reg = new FeatureRegistry([
      defineFeatureView({
        name: 'v',
        version: 1,
        entity: 'learner',
        sources: ['assessment_answered'],
        schema: LEARNING_EVENT_SCHEMA,
        features: [
          { name: 'secs', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [10, 60] },
          { name: 'top', aggregation: 'topK', of: 'channel', k: 1, categories: ['web', 'sms'] },
        ],
      }),
    ]);
    const cols = featureColumns(reg);
    expect(cols.map((c) => c.name)).toEqual(['v.secs[<10]', 'v.secs[10,60)', 'v.secs[>=60]', 'v.top=web', 'v.top=sms']);
    const { state } = applyEvents(
      emptyState(),
      [answer('a', 1, true, 5), answer('b', 2, true, 70), answer('c', 3, true, 80), answer('d', 4, true, 1, 'sms')],
      reg,
    );
    expect(toFeatureVector(evaluate(state, T0 + 5 * MIN, reg), cols)).toEqual([2, 0, 2, 3, 0]);
    expect(toFeatureVector(evaluate(null, T0, reg), cols)).toEqual([0, 0, 0, 0, 0]);
  });
  it('rejects a topK without categories, naming the feature', () =>
    expect(() => featureColumns(allAggregationsRegistry(), ['all_aggs.top_channels'])).toThrow(
      /feature all_aggs.top_channels: is a topK ranking without categories/,
    ));
  it('rejects unknown features and string features without categories', () => {
    expect(() => featureColumns(registry, ['learner_behaviour.nope'])).toThrow(
      /unknown features: learner_behaviour.nope/,
    );
    expect(() => featureColumns(allAggregationsRegistry())).toThrow(DefinitionError);
    expect(() => featureColumns(allAggregationsRegistry())).toThrow(
      /feature all_aggs.first_channel: is string-valued without categories/,
    );
  });
});
