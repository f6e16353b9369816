import { CONTENT_TYPE_HEADER, encodeEngagementEvent, type EngagementEvent } from '@pulse/contracts';
import {
  buildTrainingSet,
  createFeatureRegistry,
  defineFeatureView,
  learnerBehaviourView,
  learnerTemporalView,
  learningEngagementRegistry,
  stateIsCurrent,
  type OnlineStore,
} from '@pulse/features';
import { createSimulation } from '@pulse/simulator';
import type { EventLogRepository } from '@pulse/storage';
import { waitFor } from '@pulse/testing';
import { EVENT_LOG, ONLINE_STORE } from '@pulse/feature-service';
import { FeatureServiceHarness, getJson, metricValue } from './feature-service.harness';

// A deploy that changes the feature views: the online states written before it hold other views (one
// changed without a version bump, three added since). Until ingest rebuilds an entity's state from the
// event log, its reads go through the replay; once rebuilt, its online state has the whole history.
// Either way every answer equals the offline builder's row under the new views.
describe('feature-service after its feature views change', () => {
  const h = new FeatureServiceHarness();
  beforeAll(() => h.setUp());
  afterAll(() => h.tearDown());

  const oldTemporal = defineFeatureView({
    ...learnerTemporalView,
    features: learnerTemporalView.features.filter((f) => f.name !== 'active_hours_1d' && f.name !== 'events_1d'),
  });

  it('answers stale states through the replay, then rebuilds them from the log as events arrive', async () => {
    const lateness = { allowedLatenessMs: h.config().allowedLatenessMs };
    const before = createFeatureRegistry([learnerBehaviourView, oldTemporal], lateness);
    const after = learningEngagementRegistry(lateness);
    const sim = createSimulation({ seed: 'e2e-view-change', learners: 20, days: 6 });
    const events = [...sim];
    const cut = Math.floor(events.length * 0.7);
    const publisher = h.bus.createPublisher();
    const publish = (list: EngagementEvent[]) =>
      publisher.publish(
        h.topics.events,
        list.map((e) => ({
          key: e.entityId,
          value: Buffer.from(encodeEngagementEvent(e).bytes),
          headers: { [CONTENT_TYPE_HEADER]: encodeEngagementEvent(e).contentType },
        })),
      );

    await publish(events.slice(0, cut));
    const first = await h.start({ featureRegistry: before });
    await waitFor(async () => (await metricValue(first.registry, 'pulse_events_consumed_total')) >= cut, {
      timeoutMs: 60_000,
      message: 'the old views consuming',
    });
    await first.app.close();

    const second = await h.start();
    const store = second.app.get<OnlineStore>(ONLINE_STORE);
    const eventLog = second.app.get<EventLogRepository>(EVENT_LOG);
    const learners = sim.learners.map((l) => l.entityId);
    const staleStates = await store.getStates(learners);
    expect(staleStates.size).toBeGreaterThan(10);
    expect(
      [...staleStates.values()].every((s) => stateIsCurrent(s.state, before) && !stateIsCurrent(s.state, after)),
    ).toBe(true);

    const check = async (expectedPaths: (entityId: string) => string) => {
      const states = await store.getStates(learners);
      const points = learners
        .filter((id) => states.has(id))
        .map((id) => ({ entityId: id, timeMs: states.get(id)!.state.w! }));
      const offline = new Map<string, unknown>();
      for await (const row of buildTrainingSet({
        events: eventLog.streamForEntities(),
        points: { at: points },
        registry: after,
      })) {
        offline.set(row.entityId, JSON.parse(JSON.stringify(row.values)));
      }
      for (const p of points) {
        const { status, body } = await getJson(
          `${second.url}/v1/features/${p.entityId}?at=${new Date(p.timeMs).toISOString()}`,
        );
        expect(status).toBe(200);
        expect({ entity: p.entityId, path: body.path, views: body.views }).toEqual({
          entity: p.entityId,
          path: expectedPaths(p.entityId),
          views: offline.get(p.entityId),
        });
      }
      return points.length;
    };
    // Nothing rebuilt yet: every stored state is stale, so every read is a replay.
    expect(await check(() => 'offline')).toBe(staleStates.size);

    // The rest of the stream, but for a few learners who stay quiet (their states stay stale).
    const quiet = new Set(learners.filter((id) => staleStates.has(id)).slice(0, 4));
    const rest = events.slice(cut).filter((e) => !quiet.has(e.entityId));
    const touched = new Set(rest.map((e) => e.entityId));
    await publish(rest);
    await waitFor(async () => (await eventLog.count()) === cut + rest.length, {
      timeoutMs: 60_000,
      message: 'every event in the log',
    });
    await waitFor(async () => (await metricValue(second.registry, 'pulse_events_consumed_total')) >= rest.length, {
      timeoutMs: 30_000,
      message: 'the new views consuming',
    });

    // Entities with new events were rebuilt from the log under the new views; the others still replay.
    const states = await store.getStates(learners);
    for (const id of learners)
      if (states.has(id))
        expect({ id, current: stateIsCurrent(states.get(id)!.state, after) }).toEqual({ id, current: touched.has(id) });
    const rebuilt = [...touched].filter((id) => staleStates.has(id)).length;
    expect(await metricValue(second.registry, 'pulse_states_rebuilt_total')).toBe(rebuilt);
    await check((id) => (touched.has(id) ? 'online' : 'offline'));
  }, 180_000);
});
