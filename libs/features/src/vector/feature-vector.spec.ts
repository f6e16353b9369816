import { DefinitionError } from '@pulse/core';
import { applyEvents } from '../engine/apply-events';
import { emptyState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import { learningEngagementRegistry } from '../learning-engagement/learning-engagement';
import { allAggregationsRegistry, event, MIN, T0 } from '../testing/test-views';
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
