import { defineFeatureView } from '../definition/feature-view.builder';
import { allAggregationsRegistry, allAggregationsView, event } from '../testing/test-views';
import { emptyState } from './entity-state';
import { FeatureRegistry, stateIsCurrent } from './feature-registry';
import { replayEvents } from './replay';

const registry = allAggregationsRegistry();
const events = [event('a', 1, 'lesson_sent'), event('b', 2, 'lesson_completed')];
const built = replayEvents(events, registry);
const extraView = defineFeatureView({
  name: 'sent',
  version: 1,
  entity: 'learner',
  sources: ['lesson_sent'],
  features: [{ name: 'sent', aggregation: 'count' }],
});
// The same name and version with other features: a change that should have bumped the version.
const changed = defineFeatureView({
  ...allAggregationsView,
  features: allAggregationsView.features.filter((f) => f.name !== 'n_1d'),
});

describe('stateIsCurrent', () => {
  it('holds for a state built under the same views', () => expect(stateIsCurrent(built, registry)).toBe(true));
  it('holds for a state without events, whatever it holds', () =>
    expect(stateIsCurrent(emptyState(), new FeatureRegistry([extraView]))).toBe(true));
  it('holds when the registry dropped a view the state has', () =>
    expect(stateIsCurrent(replayEvents(events, new FeatureRegistry([allAggregationsView, extraView])), registry)).toBe(
      true,
    ));
  it('fails when a view was added since', () =>
    expect(stateIsCurrent(built, new FeatureRegistry([allAggregationsView, extraView]))).toBe(false));
  it('fails when a view changed what it keeps', () =>
    expect(stateIsCurrent(built, new FeatureRegistry([changed]))).toBe(false));
  it('fails when a view takes another source (its features without event types take every source)', () => {
    const more = defineFeatureView({
      name: 'sent',
      version: 1,
      entity: 'learner',
      sources: ['lesson_sent', 'lesson_completed'],
      features: [{ name: 'sent', aggregation: 'count' }],
    });
    expect(stateIsCurrent(replayEvents(events, new FeatureRegistry([extraView])), new FeatureRegistry([more]))).toBe(
      false,
    );
  });
  it('holds again once replayed under the new views', () =>
    expect(stateIsCurrent(replayEvents(events, new FeatureRegistry([changed])), new FeatureRegistry([changed]))).toBe(
      true,
    ));
});
