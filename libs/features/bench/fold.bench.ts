// Hot-path cost of the feature fold, per event: foldEvents alone, and the whole per-batch cycle the
// service runs (parse the stored state, fold, serialise) with the default learning-engagement views.
// Run: node tools/build.mjs && node dist/libs/features/bench/fold.bench.js
import type { EngagementEvent } from '@pulse/contracts';
import { CHANNELS } from '@pulse/contracts';
// The build maps the alias to dist paths (a relative ../src import would not survive the src/ drop).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { emptyState, foldEvents, learningEngagementRegistry, type EntityState } from '@pulse/features';

const registry = learningEngagementRegistry();
const TYPES = ['lesson_sent', 'lesson_started', 'lesson_completed', 'assessment_answered', 'session_started', 'path_progress'];
const T0 = Date.UTC(2024, 0, 1);
const ENTITIES = Number(process.argv[2] ?? 2000);
const PER_ENTITY = Number(process.argv[3] ?? 200);

function makeEvent(u: number, i: number): EngagementEvent {
  const type = TYPES[(i * 7 + u) % TYPES.length];
  return {
    eventId: `${u.toString(36)}-${i.toString(36)}-7f3a9c2e`,
    entityId: `learner-${u}`,
    eventType: type,
    // ~6 events a day per learner over ~a month: states hold realistic numbers of tiles.
    eventTimeMs: T0 + i * 4 * 3_600_000 + ((u * 7919) % 3_600_000),
    channel: CHANNELS[(u + (i % 3)) % 4],
    contentId: `content-${i % 40}`,
    attributes:
      type === 'assessment_answered'
        ? { is_correct: (i + u) % 3 !== 0, time_taken_seconds: 5 + ((i * 31) % 170) / 4 }
        : type === 'path_progress'
          ? { completion_percentage: (i * 13) % 101, difficulty: ['beginner', 'intermediate', 'advanced'][i % 3] }
          : {},
  };
}

function run(): void {
  // Warm the states up to mid-stream, serialised as the store keeps them.
  const stored = new Map<string, string>();
  for (let u = 0; u < ENTITIES; u++) {
    const s = emptyState();
    for (let i = 0; i < PER_ENTITY; i++) foldEvents(s, [makeEvent(u, i)], registry);
    stored.set(`learner-${u}`, JSON.stringify(s));
  }
  const sizes = [...stored.values()].map((v) => v.length);
  const next = Array.from({ length: ENTITIES }, (_, u) => makeEvent(u, PER_ENTITY));

  const states = [...stored.values()].map((v) => JSON.parse(v) as EntityState);
  let t = process.hrtime.bigint();
  for (let u = 0; u < ENTITIES; u++) foldEvents(states[u], [next[u]], registry);
  const foldNs = Number(process.hrtime.bigint() - t) / ENTITIES;

  t = process.hrtime.bigint();
  for (let u = 0; u < ENTITIES; u++) {
    const s = JSON.parse(stored.get(`learner-${u}`) as string) as EntityState;
    foldEvents(s, [makeEvent(u, PER_ENTITY + 1)], registry);
    stored.set(`learner-${u}`, JSON.stringify(s));
  }
  const cycleNs = Number(process.hrtime.bigint() - t) / ENTITIES;

  sizes.sort((a, b) => a - b);
  console.log(`state size: median ${sizes[sizes.length >> 1]} B, max ${sizes[sizes.length - 1]} B (${ENTITIES} learners, ${PER_ENTITY} events each)`);
  console.log(`foldEvents: ${(foldNs / 1000).toFixed(2)} µs/event`);
  console.log(`parse + fold + serialise, one event per learner per batch (worst case): ${(cycleNs / 1000).toFixed(2)} µs/event`);
}

run();
