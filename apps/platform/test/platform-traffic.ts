import { randomUUID } from 'node:crypto';
import { CONTENT_TYPE_HEADER, encodeEngagementEvent, Topics, type EngagementEvent } from '@pulse/contracts';
import type { HostedService, HostedServiceContext, SharedInfrastructure } from '@pulse/nest-common';
import type { RunningPlatform } from '@pulse/platform';
import { waitFor } from '@pulse/testing';

// Traffic that makes every series the dashboards query appear on an embedded platform: HTTP
// requests to each service, an experiment with exposures and results, triggers on the bus, and the
// records each consumer refuses (dead letters are series too).

/** The services unchanged, except that the first one hands over the shared connections it is given. */
export function capturingShared(services: readonly HostedService[]): {
  services: HostedService[];
  shared: () => SharedInfrastructure;
} {
  let shared: SharedInfrastructure | undefined;
  return {
    services: services.map((s, i) =>
      i === 0
        ? {
            ...s,
            create: (context: HostedServiceContext) => {
              shared = context.shared;
              return s.create(context);
            },
          }
        : s,
    ),
    shared: () => {
      if (!shared) throw new Error('the platform has not started its first service');
      return shared;
    },
  };
}

export function serviceUrl(platform: RunningPlatform, name: string): string {
  const service = platform.services.find((s) => s.name === name);
  if (!service) throw new Error(`${name} is not hosted (hosted: ${platform.services.map((s) => s.name).join(', ')})`);
  return service.url;
}

async function call(url: string, init: RequestInit = {}, expected = [200]): Promise<unknown> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  if (!expected.includes(res.status)) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text;
}

const learner = (i: number) => `learner-${String(i).padStart(6, '0')}`;

function eventRecord(event: EngagementEvent) {
  const encoded = encodeEngagementEvent(event, 'json');
  return {
    key: event.entityId,
    value: Buffer.from(encoded.bytes),
    headers: { [CONTENT_TYPE_HEADER]: encoded.contentType },
  };
}

export interface TrainingOutcome {
  readonly model: string;
  readonly state: string;
  readonly version: number | null;
}

/** Resolves once no training job is queued or running and the first ones have finished. */
export async function trainingSettled(platform: RunningPlatform, timeoutMs: number): Promise<TrainingOutcome[]> {
  const ts = serviceUrl(platform, 'training-service');
  return waitFor(
    async () => {
      const { jobs } = (await call(`${ts}/v1/training-jobs`)) as { jobs: TrainingOutcome[] };
      return jobs.length > 0 && jobs.every((j) => j.state !== 'queued' && j.state !== 'running') ? jobs : undefined;
    },
    { timeoutMs, intervalMs: 500, message: 'the bootstrap training jobs finished' },
  );
}

/**
 * A training job asked for over HTTP. A model's first finished job since the start creates its
 * series, which rate() and increase() count from the second one on: a later job is what a
 * dashboard of job rates and durations shows.
 */
export async function requestTraining(platform: RunningPlatform, token: string, model: string): Promise<void> {
  await call(
    `${serviceUrl(platform, 'training-service')}/v1/training-jobs`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ model }) },
    [202],
  );
}

/**
 * Records each consumer refuses: one that is no event (feature-service dead-letters it,
 * inference-service counts it undecodable), a training request and an exposure that are not.
 */
export async function publishRefusedRecords(shared: SharedInfrastructure): Promise<void> {
  const publisher = shared.bus.createPublisher();
  const garbage = (key: string) => ({ key, value: Buffer.from('not a record'), headers: {} });
  await publisher.publish(Topics.engagementEvents, [garbage('learner-refused')]);
  await publisher.publish(Topics.trainingRequests, [garbage('lesson_completion')]);
  await publisher.publish(Topics.experimentsExposures, [garbage('refused-experiment')]);
}

/**
 * A trigger whose features never catch up: an event is folded, then a trigger re-using its id at a
 * later time, which feature-service skips as a duplicate while inference-service waits for it.
 */
export async function publishLateTrigger(shared: SharedInfrastructure, platform: RunningPlatform): Promise<void> {
  const publisher = shared.bus.createPublisher();
  const entityId = `learner-late-${randomUUID().slice(0, 8)}`;
  const eventId = randomUUID();
  const first: EngagementEvent = {
    eventId,
    entityId,
    eventType: 'lesson_started',
    eventTimeMs: Date.now() - 60_000,
    channel: 'web',
    contentId: 'lesson-1',
    attributes: {},
  };
  await publisher.publish(Topics.engagementEvents, [eventRecord(first)]);
  const fs = serviceUrl(platform, 'feature-service');
  await waitFor(
    async () => {
      const body = (await call(`${fs}/v1/features/${entityId}`)) as { watermark?: string | null };
      return body.watermark !== null && body.watermark !== undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100, message: `${entityId}'s first event folded` },
  );
  await publisher.publish(Topics.engagementEvents, [
    eventRecord({ ...first, eventType: 'lesson_sent', eventTimeMs: Date.now() }),
  ]);
}

/** Triggers every model predicted on events reacts to (lesson_sent), for learners the simulator has. */
export async function publishTriggers(shared: SharedInfrastructure, learners: number, n: number): Promise<void> {
  const publisher = shared.bus.createPublisher();
  const records = Array.from({ length: n }, (_, i) =>
    eventRecord({
      eventId: randomUUID(),
      entityId: learner((i % learners) + 1),
      eventType: 'lesson_sent',
      eventTimeMs: Date.now(),
      channel: 'email',
      contentId: `lesson-${i % 7}`,
      attributes: {},
    }),
  );
  await publisher.publish(Topics.engagementEvents, records);
}

/** An experiment running on learners, its assignments (exposures published) and, once recorded, its results. */
export async function runExperiment(
  platform: RunningPlatform,
  token: string,
  key: string,
  learners: number,
): Promise<void> {
  const xs = serviceUrl(platform, 'experiment-service');
  await call(
    `${xs}/v1/experiments`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ key, variations: ['a', 'b'], status: 'running', metrics: ['lesson_completion'] }),
    },
    [201],
  );
  const ids = Array.from({ length: learners }, (_, i) => learner(i + 1));
  await waitFor(
    async () => {
      const { assignments } = (await call(`${xs}/v1/assignments/${ids[0]}`)) as {
        assignments: { experiment: string }[];
      };
      return assignments.some((a) => a.experiment === key);
    },
    { timeoutMs: 15_000, intervalMs: 100, message: `experiment ${key} assigned` },
  );
  for (const id of ids.slice(1)) await call(`${xs}/v1/assignments/${id}`);
  await waitFor(
    async () => {
      const results = (await call(`${xs}/v1/experiments/${key}/results`)) as {
        srm: { counts: Record<string, number> };
      };
      return Object.values(results.srm.counts).reduce((a, b) => a + b, 0) === ids.length;
    },
    { timeoutMs: 20_000, intervalMs: 200, message: `experiment ${key}'s exposures recorded` },
  );
}

/**
 * Where monitoring-service's newest closed window lies once predictions of now arrive, for one
 * window size (windows are aligned on the epoch), and a half hour within it old enough for a
 * label horizon to have passed behind the outcome watermark (now, after the simulator's backfill).
 */
export function matureSpanInClosedWindow(nowMs: number, windowMs: number, horizonMs: number): number {
  const current = Math.floor(nowMs / windowMs) * windowMs;
  const start = Math.min(current, nowMs - horizonMs - 4 * 3_600_000) - 3_600_000;
  if (start < current - windowMs) throw new RangeError(`no mature span in the ${windowMs} ms window before ${nowMs}`);
  return start;
}

/**
 * `n` learners of their own (two roles, two regions), each sent a lesson at a time from `startMs`
 * on and every other one completing it 20 minutes later: once predicted by a champion, labelled
 * predictions of both classes in one window, for drift, realised AUC and fairness gaps. The
 * outcomes go first, so that they are in before the predictions' labels are decided.
 */
export async function publishLabelledTriggers(
  shared: SharedInfrastructure,
  platform: RunningPlatform,
  startMs: number,
  n: number,
): Promise<string> {
  const publisher = shared.bus.createPublisher();
  const run = randomUUID().slice(0, 8);
  const learners = Array.from({ length: n }, (_, i) => ({
    entityId: `learner-${run}-${i}`,
    atMs: startMs + i * 20_000,
    contentId: `lesson-${run}-${i}`,
    profile: { role: i % 4 < 2 ? 'nurse' : 'physician', region: i % 3 === 0 ? 'emea' : 'amer' },
  }));
  const event = (l: (typeof learners)[number], eventType: string, atMs: number) =>
    eventRecord({
      eventId: randomUUID(),
      entityId: l.entityId,
      eventType,
      eventTimeMs: atMs,
      channel: 'email',
      ...(eventType === 'session_started' ? {} : { contentId: l.contentId }),
      attributes: {},
      profile: l.profile,
    });
  const fs = serviceUrl(platform, 'feature-service');
  await publisher.publish(Topics.engagementEvents, [
    ...learners.map((l) => event(l, 'session_started', l.atMs - 10 * 60_000)),
    ...learners.filter((_, i) => i % 2 === 0).map((l) => event(l, 'lesson_completed', l.atMs + 20 * 60_000)),
  ]);
  await waitFor(
    async () => {
      for (const l of learners) {
        const body = (await call(`${fs}/v1/features/${l.entityId}`)) as { watermark: string | null };
        if (body.watermark === null) return false;
      }
      return true;
    },
    { timeoutMs: 20_000, intervalMs: 200, message: "the labelled learners' outcomes folded" },
  );
  await publisher.publish(
    Topics.engagementEvents,
    learners.map((l) => event(l, 'lesson_sent', l.atMs)),
  );
  return run;
}

/** One round of reads and writes over HTTP on every service (latency histograms observe in each window). */
export async function httpRound(platform: RunningPlatform, learners: number): Promise<void> {
  const id = learner(1 + Math.floor(Math.random() * learners));
  const fs = serviceUrl(platform, 'feature-service');
  await call(`${fs}/v1/features/${id}`);
  await call(`${fs}/v1/features/batch`, {
    method: 'POST',
    body: JSON.stringify({ entityIds: [id, learner(1)] }),
  });
  // As of a time before the online state: read by replaying the event log.
  await call(`${fs}/v1/features/${id}?at=${new Date(Date.now() - 3 * 86_400_000).toISOString()}`);
  await call(`${fs}/v1/feature-views`);
  await call(
    `${fs}/v1/events`,
    {
      method: 'POST',
      body: JSON.stringify([
        {
          event_id: randomUUID(),
          entity_id: id,
          event_type: 'lesson_started',
          event_time: new Date().toISOString(),
          channel: 'web',
          content_id: 'lesson-1',
        },
        { event_id: randomUUID(), entity_id: id, event_type: 'lesson_started', channel: 'pigeon' },
      ]),
    },
    [200, 202, 207],
  );

  const ts = serviceUrl(platform, 'training-service');
  await call(`${ts}/v1/models`);
  await call(`${ts}/v1/training-jobs`);

  const is = serviceUrl(platform, 'inference-service');
  const { models } = (await call(`${is}/v1/models`)) as { models: { model: string; trigger: string }[] };
  for (const { model } of models) {
    await call(`${is}/v1/predict/${model}`, {
      method: 'POST',
      body: JSON.stringify({ entityId: id, context: { channel: 'email', content_id: 'lesson-1' } }),
    });
    await call(`${is}/v1/predict/${model}/batch`, {
      method: 'POST',
      body: JSON.stringify({ rows: [{ entityId: id }, { entityId: learner(1) }], context: { channel: 'web' } }),
    });
  }

  const xs = serviceUrl(platform, 'experiment-service');
  const { experiments } = (await call(`${xs}/v1/experiments`)) as { experiments: { key: string }[] };
  await call(`${xs}/v1/assignments/${id}`);
  for (const { key } of experiments) await call(`${xs}/v1/experiments/${key}/results`);

  if (platform.services.some((s) => s.name === 'monitoring-service')) {
    const ms = serviceUrl(platform, 'monitoring-service');
    for (const { model } of models) await call(`${ms}/v1/monitoring/${model}`);
    await call(`${ms}/v1/alerts`);
  }
}
