import type { EngagementEvent } from '@pulse/contracts';
import { DefinitionError } from '@pulse/core';
import { emptyState, evaluate, foldEvents, learningEngagementRegistry } from '@pulse/features';
import { lessonCompletionModel } from '../defaults/lesson-completion.model';
import { dropoutRiskModel } from '../defaults/dropout-risk.model';
import { defineModelSpec } from '../spec/define-model-spec';
import { compileModelSpec } from './model-input';

const registry = learningEngagementRegistry();
const T0 = Date.UTC(2026, 10, 2, 0, 0, 0); // a Monday
const H = 3_600_000;

let n = 0;
function ev(type: string, hour: number, channel: EngagementEvent['channel'], contentId?: string): EngagementEvent {
  return {
    eventId: `e${++n}`,
    entityId: 'l1',
    eventType: type,
    eventTimeMs: T0 + hour * H,
    channel,
    contentId,
    attributes: {},
  };
}

// Sessions at 19:00 on web, lessons sent by email: own channel web, own hour 19.
const history = [
  ev('session_started', 19, 'web'),
  ev('lesson_sent', 24 + 9, 'email', 'beginner-p1-l1'),
  ev('session_started', 24 + 19, 'web'),
  ev('lesson_started', 24 + 19.1, 'web', 'beginner-p1-l1'),
  ev('lesson_completed', 24 + 19.3, 'web', 'beginner-p1-l1'),
  ev('session_started', 48 + 19, 'web'),
];
const trigger = ev('lesson_sent', 72 + 12, 'sms', 'advanced-p1-l2');

function valuesAt(events: EngagementEvent[], t: number) {
  const state = emptyState();
  foldEvents(state, events, registry);
  return evaluate(state, t, registry);
}

describe('compileModelSpec and the input vector', () => {
  const compiled = compileModelSpec(lessonCompletionModel, registry);
  const values = valuesAt([...history, trigger], trigger.eventTimeMs);
  const vector = compiled.vector(values, trigger);
  const at = (name: string) => vector[compiled.featureNames.indexOf(name)];

  it('lays out view, request and derived columns in a stable order with a matching signature', () => {
    expect(compiled.featureNames.length).toBe(vector.length);
    expect(compiled.signature.inputs.map((i) => i.index)).toEqual(compiled.featureNames.map((_, i) => i));
    const sources = compiled.columns.map((c) => c.source);
    expect(sources.indexOf('request')).toBeGreaterThan(sources.lastIndexOf('view'));
    expect(sources.indexOf('derived')).toBeGreaterThan(sources.lastIndexOf('request'));
    expect(compiled.signature.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
    expect(compileModelSpec(lessonCompletionModel, registry).featureNames).toEqual(compiled.featureNames);
  });

  it('takes request-time features from the trigger', () => {
    expect(at('request.send_channel=sms')).toBe(1);
    expect(at('request.send_channel=email')).toBe(0);
    expect(at('request.send_hour')).toBe(12);
    expect(at('request.send_day_of_week')).toBe(4); // Thursday
    expect(at('request.send_day_of_week_is_weekend')).toBe(0);
    expect(at('request.content_difficulty')).toBe(3);
  });

  it('derives features from the view values and the trigger', () => {
    expect(at('derived.channel_is_own')).toBe(0); // sms, own sessions on web
    expect(at('derived.hour_distance_to_own')).toBeCloseTo(7.5, 5); // 12:00 against the middle of 19:00–20:00
    expect(at('derived.unopened_sends_3d')).toBe(1); // two sends, one started
    expect(at('derived.difficulty_gap')).toBeNaN(); // no path_progress: no mean difficulty
    expect(at('learner_behaviour.lessons_sent')).toBe(2);
    expect(at('learner_behaviour.lessons_completed')).toBe(1);
    const web = compiled.vector(values, { ...trigger, channel: 'web' });
    expect(web[compiled.featureNames.indexOf('derived.channel_is_own')]).toBe(1);
  });

  it('fills a missing request context with NaN or zeros, as documented', () => {
    const bare = compiled.vector(values, { eventTimeMs: trigger.eventTimeMs });
    expect(bare[compiled.featureNames.indexOf('request.content_difficulty')]).toBeNaN();
    expect(bare[compiled.featureNames.indexOf('derived.channel_is_own')]).toBeNaN();
    for (const c of ['slack', 'sms', 'email', 'web'])
      expect(bare[compiled.featureNames.indexOf(`request.send_channel=${c}`)]).toBe(0);
  });

  it('refuses a spec pinned to another view version, or a derived feature without its view', () => {
    const pinned = defineModelSpec({
      ...lessonCompletionModel,
      features: { views: [{ view: 'learner_behaviour', version: 2, features: '*' }] },
    });
    expect(() => compileModelSpec(pinned, registry)).toThrow(
      /pins "learner_behaviour" version 2, the registry has version 1/,
    );
    const orphan = defineModelSpec({
      ...lessonCompletionModel,
      features: { views: [{ view: 'learner_behaviour', version: 1, features: '*' }], derived: ['channel_is_own'] },
    });
    expect(() => compileModelSpec(orphan, registry)).toThrow(DefinitionError);
    expect(() => compileModelSpec(orphan, registry)).toThrow(/select view "learner_activity"/);
    const unknown = defineModelSpec({
      ...lessonCompletionModel,
      features: { views: [{ view: 'learner_behaviour', version: 1, features: ['no_such_feature'] }] },
    });
    expect(() => compileModelSpec(unknown, registry)).toThrow(/no_such_feature/);
  });

  it('compiles the multiclass default with three class outputs', () => {
    const dropout = compileModelSpec(dropoutRiskModel, registry);
    expect(dropout.signature.outputs[1].shape).toEqual(['N', 3]);
    expect(dropout.signature.classes).toEqual(['low', 'medium', 'high']);
  });
});
