/**
 * `node tools/build.mjs && node dist/libs/contracts/bench/decode.bench.js`: protobuf EngagementEvent
 * decoding, the hand-written reader the codec uses (src/wire/engagement-event.reader.ts) next to
 * protobuf-es's fromBinary + protoToCandidate, on the same batch in the same run. Prints events/s for
 * decoding alone and for decoding + validation (what a consumer does per record), and the µs per
 * event the two differ by. Env: PULSE_BENCH_EVENTS (50000), PULSE_BENCH_ROUNDS (7).
 *
 * 2026-12-05, 50,000 events of 114 bytes, load 3.2: decode 1,781,575 events/s hand-written vs 540,818
 * fromBinary (3.3x, 1.29 µs/event); decode + validate 756,761 vs 289,241 (2.6x, 2.14 µs/event). The
 * service thread spends ~9.8 µs per ingested event in all, so fromBinary would add 13-22 % to it.
 */
import os from 'node:os';
import { fromBinary } from '@bufbuild/protobuf';
// eslint-disable-next-line @nx/enforce-module-boundaries -- bench/ and src/ compile to sibling dist folders; only the alias resolves in both
import {
  CHANNELS,
  encodeEngagementEvent,
  LEARNING_ENGAGEMENT_CATALOG,
  protoToCandidate,
  pulsev1,
  readEngagementEventCandidate as handWritten,
  validateEventCandidate,
  type EngagementEvent,
  type EventCandidate,
} from '@pulse/contracts';

const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const EVENTS = envInt('PULSE_BENCH_EVENTS', 50_000);
const ROUNDS = envInt('PULSE_BENCH_ROUNDS', 7);
const START_MS = Date.UTC(2026, 0, 5);

/** A learner's day as the simulator emits it: a lesson delivered, taken, answered, and path progress. */
const DAY: ReadonlyArray<{ type: string; attributes?: (i: number) => EngagementEvent['attributes'] }> = [
  { type: 'session_started' },
  { type: 'lesson_sent' },
  { type: 'lesson_started' },
  { type: 'lesson_completed' },
  { type: 'assessment_answered', attributes: (i) => ({ is_correct: i % 3 !== 0, time_taken_seconds: 5 + (i % 97) }) },
  { type: 'assessment_answered', attributes: (i) => ({ is_correct: i % 4 !== 0, time_taken_seconds: 7.5 + (i % 53) }) },
  {
    type: 'path_progress',
    attributes: (i) => ({
      completion_percentage: (i * 7) % 101,
      difficulty: ['beginner', 'intermediate', 'advanced'][i % 3],
    }),
  },
];

function batch(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const step = DAY[i % DAY.length];
    const learner = Math.floor(i / DAY.length) % 4000;
    const event: EngagementEvent = {
      eventId: `k3x9q2-${learner.toString(36)}-${i.toString(36)}`,
      entityId: `learner-${String(learner).padStart(5, '0')}`,
      eventType: step.type,
      eventTimeMs: START_MS + i * 1733,
      channel: CHANNELS[learner % CHANNELS.length],
      contentId: step.type === 'session_started' ? undefined : `lesson-${(learner * 13 + i) % 400}`,
      attributes: step.attributes?.(i) ?? {},
      profile: { role: ['nurse', 'engineer', 'teacher'][learner % 3], region: ['emea', 'amer', 'apac'][learner % 3] },
    };
    out.push(encodeEngagementEvent(event).bytes);
  }
  return out;
}

const protobufEs = (bytes: Uint8Array): EventCandidate =>
  protoToCandidate(fromBinary(pulsev1.EngagementEventSchema, bytes));

/** Events/s of the best round (the least disturbed by the machine's other work). */
function rate(values: readonly Uint8Array[], perEvent: (bytes: Uint8Array) => unknown): number {
  let sink = 0;
  for (let i = 0; i < Math.min(values.length, 20_000); i++) sink += perEvent(values[i]) === undefined ? 0 : 1; // warm-up
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < values.length; i++) sink += perEvent(values[i]) === undefined ? 0 : 1;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (sink === 0) throw new Error('nothing decoded');
  return values.length / best;
}

function main(): void {
  const values = batch(EVENTS);
  const bytes = values.reduce((sum, v) => sum + v.length, 0);
  const nowMs = START_MS + EVENTS * 1733 + 60_000;
  const validated = (read: (bytes: Uint8Array) => EventCandidate) => (v: Uint8Array) => {
    const result = validateEventCandidate(read(v), LEARNING_ENGAGEMENT_CATALOG, { nowMs });
    if (!result.ok) throw new Error(`rejected: ${result.rejection.message}`);
    return result;
  };
  console.log(
    `${values.length} encoded EngagementEvents, ${(bytes / values.length).toFixed(0)} bytes each on average; best of ${ROUNDS} rounds [load ${os.loadavg()[0].toFixed(2)}]`,
  );
  const rows: Array<[string, number, number]> = [
    ['decode', rate(values, protobufEs), rate(values, handWritten)],
    ['decode + validate', rate(values, validated(protobufEs)), rate(values, validated(handWritten))],
  ];
  for (const [label, es, hand] of rows) {
    const extraUs = (1 / es - 1 / hand) * 1e6;
    console.log(
      `${label}: protobuf-es fromBinary ${Math.round(es).toLocaleString('en')} events/s, hand-written reader ${Math.round(hand).toLocaleString('en')} events/s (${(hand / es).toFixed(2)}x; ${extraUs.toFixed(2)} µs/event apart)`,
    );
  }
  console.log(`[load ${os.loadavg()[0].toFixed(2)}]`);
}

main();
