import { defineFeatureView } from '../definition/feature-view.builder';
import { allAggregationsView } from '../testing/test-views';
import { asOfDependence, isTileInvariant } from './as-of-dependence';

describe('asOfDependence', () => {
  it.each([
    ['n_2h', 'tiles'],
    ['accuracy', 'tiles'],
    ['since_last', 'shift'],
    ['since_last_answer_2h', 'shift'],
    ['streak', 'tiles'],
    ['top_channels', 'tiles'],
    ['time_hist', 'tiles'],
  ])('%s: %s', (feature, expected) => expect(asOfDependence(allAggregationsView, feature)).toBe(expected));
  it('a ratio over a shifting feature depends on the time', () => {
    const view = defineFeatureView({
      name: 'r',
      version: 1,
      entity: 'learner',
      sources: ['lesson_sent'],
      features: [
        { name: 'n', aggregation: 'count' },
        { name: 'since', aggregation: 'timeSinceLast' },
        { name: 'per_ms', aggregation: 'ratio', numerator: 'n', denominator: 'since' },
      ],
    });
    expect([asOfDependence(view, 'per_ms'), isTileInvariant(view, 'per_ms'), isTileInvariant(view, 'n')]).toEqual([
      'time',
      false,
      true,
    ]);
  });
  it('names the view and the missing feature', () =>
    expect(() => asOfDependence(allAggregationsView, 'nope')).toThrow(/feature view "all_aggs" has no feature "nope"/));
});
