import {
  CONTENT_TYPE_HEADER,
  ContentTypes,
  decodeDeadLetter,
  encodeEngagementEvent,
  type EngagementEvent,
} from '@pulse/contracts';
import type { EventLogRepository } from '@pulse/storage';
import { waitFor } from '@pulse/testing';
import { EVENT_LOG } from '@pulse/feature-service';
import { FeatureServiceHarness, getJson, metricValue } from './feature-service.harness';

// An event id counts once per entity: a re-send of a known id with a new time, long after the state's
// dedup memory (the allowed lateness) forgot it, is neither logged nor counted again; and the
// counters say what their help says.
describe('feature-service counts an event id once, and its metrics count what they say', () => {
  const h = new FeatureServiceHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  it('skips a known id re-sent with a new time, and counts consumed, duplicate and rejected events exactly', async () => {
    const learner = 'learner-once';
    const t = Date.now() - 86_400_000;
    const sent = (eventId: string, eventTimeMs: number): EngagementEvent => ({
      eventId,
      entityId: learner,
      eventType: 'lesson_sent',
      eventTimeMs,
      channel: 'sms',
      contentId: 'lesson-1',
      attributes: {},
    });
    const hour = 3_600_000;
    const stream = [
      sent('x', t),
      sent('y', t + 2 * hour),
      sent('y', t + 2 * hour), // a producer's duplicate
      sent('x', t + 2 * hour + 1000), // x again, more than the lateness past its first time
      sent('z', t - 10 * 60_000), // too late: over an hour behind the newest event
      sent('w', t + 2 * hour + 5000),
    ];
    const messages = stream.map((e) => {
      const { bytes, contentType } = encodeEngagementEvent(e, 'json');
      return { key: learner, value: Buffer.from(bytes), headers: { [CONTENT_TYPE_HEADER]: contentType } };
    });
    messages.splice(4, 0, {
      key: learner,
      value: Buffer.from('{"event_id": 1'),
      headers: { [CONTENT_TYPE_HEADER]: ContentTypes.json },
    });

    const service = await h.start();
    const counted = async () => ({
      consumed: await metricValue(service.registry, 'pulse_events_consumed_total'),
      duplicates: await metricValue(service.registry, 'pulse_events_duplicate_total'),
      rejected: await metricValue(service.registry, 'pulse_events_rejected_total'),
    });
    // x and y are taken (and x forgotten by the state's dedup memory) before x comes again: another batch.
    const publisher = h.bus.createPublisher();
    await publisher.publish(h.topics.events, messages.slice(0, 3));
    const first = { consumed: 2, duplicates: 1, rejected: 0 };
    await waitFor(async () => JSON.stringify(await counted()) === JSON.stringify(first), {
      timeoutMs: 30_000,
      message: `counters ${JSON.stringify(first)}`,
    });
    await publisher.publish(h.topics.events, messages.slice(3));
    const expected = { consumed: 3, duplicates: 2, rejected: 2 };
    await waitFor(async () => JSON.stringify(await counted()) === JSON.stringify(expected), {
      timeoutMs: 30_000,
      message: `counters ${JSON.stringify(expected)}`,
    });
    expect(await counted()).toEqual(expected);

    const log = service.app.get<EventLogRepository>(EVENT_LOG);
    expect((await log.eventsForEntity(learner)).map((e) => [e.eventId, e.eventTimeMs])).toEqual([
      ['x', t],
      ['y', t + 2 * hour],
      ['w', t + 2 * hour + 5000],
    ]);
    const { status, body } = await getJson(`${service.url}/v1/features/${learner}`);
    expect(status).toBe(200);
    expect(body.views.learner_engagement.values.events_total).toBe(3);

    await waitFor(() => h.dlqMessages.length === 2, { timeoutMs: 30_000, message: 'two dead letters' });
    expect(h.dlqMessages.map((m) => decodeDeadLetter(m.value).reason).sort()).toEqual(['too_late', 'undecodable']);
  }, 90_000);
});
