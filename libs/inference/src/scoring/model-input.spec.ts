import type { EngagementEvent } from '@pulse/contracts';
import { evaluateOffline, FeatureRegistry, HOUR_MS, LEARNING_ENGAGEMENT_VIEWS } from '@pulse/features';
import { compileModelSpec, lessonCompletionModel } from '@pulse/models';
import { buildModelInput, inputStaleness } from './model-input';

const registry = new FeatureRegistry(LEARNING_ENGAGEMENT_VIEWS);
const compiled = compileModelSpec(lessonCompletionModel, registry);
const T0 = Date.UTC(2026, 0, 5, 8);
const ev = (eventType: string, hours: number, attributes = {}): EngagementEvent => ({
  eventId: `${eventType}-${hours}`,
  entityId: 'learner-1',
  eventType,
  eventTimeMs: T0 + hours * HOUR_MS,
  channel: 'email',
  contentId: 'lesson-1',
  attributes,
});
// behaviour and channel views last saw the completion (1 h), activity and temporal the session (2 h); no path_progress
const events = [ev('lesson_sent', 0), ev('lesson_completed', 1), ev('session_started', 2)];
const asOf = T0 + 5 * HOUR_MS;
const values = evaluateOffline(events, asOf, registry);
const trigger = { eventTimeMs: asOf, channel: 'email', contentId: 'lesson-2' };
const stalenessOf = (name: string) => inputStaleness(compiled, values)[compiled.featureNames.indexOf(name)];

describe('inputStaleness', () => {
  it('is as-of minus the newest event folded into the input’s view', () => {
    expect(stalenessOf('learner_behaviour.lesson_completion_rate')).toBe(4 * HOUR_MS);
    expect(stalenessOf('learner_behaviour.time_since_last_completion')).toBe(4 * HOUR_MS);
    expect(stalenessOf('learner_activity.own_active_days_14d')).toBe(3 * HOUR_MS);
    expect(stalenessOf('learner_temporal.most_active_hour')).toBe(3 * HOUR_MS);
  });

  it('is null for a view without the entity’s events (learner_content reads path_progress, assessments, completions)', () => {
    const noContent = evaluateOffline([ev('lesson_sent', 0), ev('session_started', 2)], asOf, registry);
    const i = compiled.featureNames.indexOf('learner_content.avg_difficulty');
    expect(inputStaleness(compiled, noContent)[i]).toBeNull();
  });

  it('is 0 for request-time features and the oldest of its views for a derived one', () => {
    expect(stalenessOf('request.send_hour')).toBe(0);
    expect(stalenessOf('derived.channel_completion_rate')).toBe(4 * HOUR_MS);
    expect(stalenessOf('derived.hour_distance_to_own')).toBe(3 * HOUR_MS);
  });
});

describe('buildModelInput', () => {
  it('is the spec’s vector function with one staleness per input', () => {
    const input = buildModelInput(compiled, values, trigger);
    expect(Array.from(input.vector)).toEqual(Array.from(compiled.vector(values, trigger)));
    expect(input.staleness).toHaveLength(compiled.featureNames.length);
  });
});
