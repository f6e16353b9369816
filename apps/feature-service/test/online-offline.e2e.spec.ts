import {
  CONTENT_TYPE_HEADER,
  ContentTypes,
  decodeDeadLetter,
  encodeEngagementEvent,
  type EngagementEvent,
} from '@pulse/contracts';
import { buildTrainingSet, learningEngagementRegistry, type OnlineStore } from '@pulse/features';
import { createSimulation } from '@pulse/simulator';
import type { EventLogRepository } from '@pulse/storage';
import { waitFor } from '@pulse/testing';
import { busServerOf, EVENT_LOG, ONLINE_STORE } from '@pulse/feature-service';
import { FeatureServiceHarness, getJson, metricValue } from './feature-service.harness';

// The acceptance test: a simulated stream through Kafka with producer duplicates, late and
// out-of-order events, invalid events and a consumer killed mid-stream; afterwards the features read
// online over HTTP equal the offline training-set builder's rows, for every entity.
describe('feature-service over Kafka, Postgres and Redis', () => {
  const h = new FeatureServiceHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  it('serves online features equal to the offline builder after duplicates, reordering and a crash', async () => {
    const invalidIds = new Set<string>();
    const sim = createSimulation({
      seed: 'e2e-online-offline',
      learners: 30,
      days: 8,
      duplicateFraction: 0.04,
      lateFraction: 0.06,
      maxLatenessMs: 30 * 60_000,
      invalidFraction: 0.01,
      onInvalid: (_kind, eventId) => invalidIds.add(eventId),
    });
    const events = [...sim];
    const validIds = new Set(events.filter((e) => !invalidIds.has(e.eventId)).map((e) => e.eventId));
    expect(sim.stats.duplicates).toBeGreaterThan(0);
    expect(sim.stats.late).toBeGreaterThan(0);
    expect(invalidIds.size).toBeGreaterThan(0);

    const publisher = h.bus.createPublisher();
    const publish = (list: EngagementEvent[], offset: number) =>
      publisher.publish(
        h.topics.events,
        list.map((e, i) => {
          // Producers may send either wire format; alternate to exercise both decoders.
          const { bytes, contentType } = encodeEngagementEvent(e, (offset + i) % 2 === 0 ? 'protobuf' : 'json');
          return {
            key: e.entityId || null,
            value: Buffer.from(bytes),
            headers: { [CONTENT_TYPE_HEADER]: contentType },
          };
        }),
      );
    const cut = Math.floor(events.length * 0.6);
    await publish(events.slice(0, cut), 0);

    // First instance: killed (no commit of the batch in hand) partway through.
    const first = await h.start();
    await waitFor(
      async () => (await metricValue(first.registry, 'pulse_events_consumed_total')) >= events.length * 0.25,
      {
        timeoutMs: 30_000,
        message: 'first instance consuming',
      },
    );
    await busServerOf(first.app)!.current!.kill();
    await first.app.close();

    const junk = [
      {
        key: 'junk-1',
        value: Buffer.from('{"event_id": "broken'),
        headers: { [CONTENT_TYPE_HEADER]: ContentTypes.json },
      },
      {
        key: 'junk-2',
        value: Buffer.from([0xff, 0xff, 0xff, 0x01]),
        headers: { [CONTENT_TYPE_HEADER]: ContentTypes.protobuf },
      },
      { key: 'junk-3', value: Buffer.from('hello'), headers: { [CONTENT_TYPE_HEADER]: 'text/plain' } },
    ];
    await publisher.publish(h.topics.events, junk);
    await publish(events.slice(cut), cut);

    // Second instance of the same group resumes from the committed offsets (redelivering the rest).
    const second = await h.start();
    const eventLog = second.app.get<EventLogRepository>(EVENT_LOG);
    await waitFor(async () => (await eventLog.count()) === validIds.size, {
      timeoutMs: 60_000,
      message: 'every valid event in the log',
    });
    const expectedDead = invalidIds.size + junk.length;
    const deadSources = () =>
      new Set(h.dlqMessages.map((m) => decodeDeadLetter(m.value)).map((d) => `${d.sourcePartition}:${d.sourceOffset}`));
    await waitFor(() => deadSources().size === expectedDead, {
      timeoutMs: 30_000,
      message: `${expectedDead} dead letters`,
    });

    const dead = h.dlqMessages.map((m) => decodeDeadLetter(m.value));
    expect(new Set(dead.map((d) => d.reason))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    expect(dead.every((d) => d.message.length > 0 && d.sourceTopic === h.topics.events)).toBe(true);
    const junkDead = dead.filter((d) => d.sourceKey?.startsWith('junk-'));
    expect(new Set(junkDead.map((d) => d.reason))).toEqual(new Set(['undecodable']));
    expect(Buffer.from(junkDead.find((d) => d.sourceKey === 'junk-2')!.original)).toEqual(junk[1].value);
    expect(dead.filter((d) => d.reason === 'too_late')).toEqual([]);

    // Every entity: online HTTP read at its watermark, and at an earlier time (offline path), against
    // the point-in-time builder replaying the event log.
    const store = second.app.get<OnlineStore>(ONLINE_STORE);
    const learners = sim.learners.map((l) => l.entityId);
    const states = await store.getStates(learners);
    const midpoint = sim.options.startTimeMs + 4 * 86_400_000 + 12_345;
    const points = learners
      .filter((id) => states.has(id))
      .flatMap((id) => [
        { entityId: id, timeMs: states.get(id)!.state.w! },
        { entityId: id, timeMs: midpoint },
      ]);
    expect(points.length).toBeGreaterThanOrEqual(2 * 25);

    const registry = learningEngagementRegistry({ allowedLatenessMs: h.config().allowedLatenessMs });
    const offline = new Map<string, unknown>();
    for await (const row of buildTrainingSet({
      events: eventLog.streamForEntities(),
      points: { at: points },
      registry,
    })) {
      offline.set(`${row.entityId}@${row.timeMs}`, JSON.parse(JSON.stringify(row.values)));
    }
    const paths = new Set<string>();
    for (const p of points) {
      const { status, body } = await getJson(
        `${second.url}/v1/features/${p.entityId}?at=${new Date(p.timeMs).toISOString()}`,
      );
      expect(status).toBe(200);
      paths.add(body.path);
      expect({ entity: p.entityId, at: p.timeMs, views: body.views }).toEqual({
        entity: p.entityId,
        at: p.timeMs,
        views: offline.get(`${p.entityId}@${p.timeMs}`),
      });
    }
    expect(paths).toEqual(new Set(['online', 'offline']));
    expect(await metricValue(second.registry, 'pulse_events_duplicate_total')).toBeGreaterThan(0);
  }, 180_000);
});
