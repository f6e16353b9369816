import type { EngagementEvent } from '@pulse/contracts';
import { dropoutRiskModel } from '../defaults/dropout-risk.model';
import { lessonCompletionModel } from '../defaults/lesson-completion.model';
import { triggerPoints } from '../triggers/trigger-points';
import { activityChangeLabel } from './activity-change.label';
import { eventWithinLabel } from './event-within.label';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 10, 2);
let n = 0;
const ev = (type: string, t: number, contentId?: string): EngagementEvent => ({
  eventId: `e${++n}`,
  entityId: 'l1',
  eventType: type,
  eventTimeMs: t,
  channel: 'web',
  contentId,
  attributes: {},
});

describe('eventWithin', () => {
  const spec = lessonCompletionModel.label as Parameters<typeof eventWithinLabel.outcome>[0];
  const sent = ev('lesson_sent', T0, 'c1');
  const point = { entityId: 'l1', timeMs: T0, trigger: sent };

  it('is 1 when the same content is completed within the horizon', () => {
    expect(eventWithinLabel.outcome(spec, point, [sent, ev('lesson_completed', T0 + 47 * H, 'c1')], T0 + 10 * D)).toBe(
      1,
    );
  });
  it('is 0 for a completion of other content or after the horizon', () => {
    const events = [sent, ev('lesson_completed', T0 + H, 'c2'), ev('lesson_completed', T0 + 49 * H, 'c1')];
    expect(eventWithinLabel.outcome(spec, point, events, T0 + 10 * D)).toBe(0);
  });
  it('counts a completion exactly at the horizon, and not one at the trigger time', () => {
    expect(eventWithinLabel.outcome(spec, point, [sent, ev('lesson_completed', T0 + 48 * H, 'c1')], T0 + 10 * D)).toBe(
      1,
    );
    expect(eventWithinLabel.outcome(spec, point, [ev('lesson_completed', T0, 'c1'), sent], T0 + 10 * D)).toBe(0);
  });
  it('is censored while the horizon has not elapsed by the watermark, unless already positive', () => {
    expect(eventWithinLabel.outcome(spec, point, [sent], T0 + 47 * H)).toBe('censored');
    expect(eventWithinLabel.outcome(spec, point, [sent, ev('lesson_completed', T0 + H, 'c1')], T0 + 2 * H)).toBe(1);
  });
});

describe('activityChange and the daily trigger', () => {
  const spec = dropoutRiskModel.label as Parameters<typeof activityChangeLabel.outcome>[0];
  const daysActive = (from: number, days: number[]) => days.map((d) => ev('session_started', from + d * D + 10 * H));
  const t = T0 + 28 * D;
  const before = daysActive(T0 + 14 * D, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // 10 active days in the previous 14

  it.each([
    ['low', [0, 1, 2, 3, 4, 5, 6], 0], // 7 of 10: ratio 0.7
    ['medium', [0, 1, 2, 3, 4], 1], // 0.5
    ['high', [0, 1, 2], 2], // 0.3
    ['high (gone)', [], 2],
  ])('classes a learner with a %s ratio', (_, after, expected) => {
    const events = [...before, ...daysActive(t, after)];
    expect(activityChangeLabel.outcome(spec, { entityId: 'l1', timeMs: t }, events, t + 20 * D)).toBe(expected);
  });

  it('censors points whose horizon is past the watermark', () => {
    expect(activityChangeLabel.outcome(spec, { entityId: 'l1', timeMs: t }, before, t + 13 * D)).toBe('censored');
  });

  it('makes one point a day for learners with enough history and activity', () => {
    const events = [ev('lesson_sent', T0 - D), ...daysActive(T0, [0, 1, 2, 3, 20])];
    const points = triggerPoints(dropoutRiskModel, 'l1', events, T0 + 40 * D).map((p) => (p.timeMs - T0) / D);
    // first own activity day 0; needs 14 d of history (from the first event, day −1) and 3 active days in the last 14
    expect(points).toEqual([13, 14, 15]); // day 16 sees only days 2 and 3
  });

  it('makes one point per distinct trigger event', () => {
    const sent = ev('lesson_sent', T0, 'c');
    const points = triggerPoints(lessonCompletionModel, 'l1', [sent, sent, ev('session_started', T0 + H)], T0 + D);
    expect(points).toEqual([{ entityId: 'l1', timeMs: T0, trigger: sent }]);
  });
});
