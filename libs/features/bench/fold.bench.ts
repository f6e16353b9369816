// Hot-path cost of the online feature state, on realistic states: simulated learners (@pulse/simulator)
// folded over 29 days, then the 30th day's events in consecutive batches, exactly as the ingest does
// per batch: decode the touched states, fold, encode. Prints µs per event for each phase and each
// state codec, and the read path: decode + evaluate of every view for one entity (p50/p99) and for
// batches of 1000 entities.
// Run: node tools/build.mjs && node dist/libs/features/bench/fold.bench.js [learners=2000] [batch=2000] [codecs=store,json,v8]
// (store: the online store's binary format; json: JSON.stringify/parse; v8: v8.serialize/deserialize)
// Times are CPU time of this process (process.cpuUsage, which a shared, loaded machine distorts less
// than wall time), best of 3 runs; latencies are wall time. (No forced GC between runs: a full GC
// from --expose-gc makes V8 slower for a while afterwards, which would distort the figures.)
import v8 from 'node:v8';
import type { EngagementEvent } from '@pulse/contracts';
// The build maps the aliases to dist paths (a relative ../src import would not survive the src/ drop).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  cloneState,
  decodeStoredState,
  emptyState,
  encodeStoredState,
  evaluate,
  foldBatchIntoStore,
  foldEvents,
  InMemoryOnlineStore,
  learningEngagementRegistry,
  StateCache,
  type EntityState,
} from '@pulse/features';
import { createSimulation } from '@pulse/simulator';

const LEARNERS = Number(process.argv[2] ?? 2000);
const BATCH = Number(process.argv[3] ?? 2000);
const DAYS = 30;
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const registry = learningEngagementRegistry();

interface Codec {
  readonly name: string;
  encode(state: EntityState): Buffer | string;
  decode(value: Buffer | string): EntityState;
}

const ALL_CODECS: Codec[] = [
  { name: 'store', encode: (s) => encodeStoredState(s, 1), decode: (v) => decodeStoredState('x', v as Buffer)!.state },
  // The dedup ids (a Map) as an object.
  {
    name: 'json',
    encode: (s) => JSON.stringify({ ...s, d: Object.fromEntries(s.d) }),
    decode: (v) => withIds(JSON.parse(v as string)),
  },
  { name: 'v8', encode: (s) => v8.serialize(s), decode: (v) => v8.deserialize(v as Buffer) as EntityState },
];
function withIds(s: EntityState): EntityState {
  s.d = new Map(Object.entries(s.d));
  return s;
}

// Optional third argument: the codecs to run, comma-separated (store = the online store's format).
const CODECS = process.argv[4]
  ? ALL_CODECS.filter((c) => process.argv[4].split(',').includes(c.name.toLowerCase()))
  : ALL_CODECS;

const ROUNDS = 3;

function cpuUs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return d.user + d.system;
}

function byEntity(events: readonly EngagementEvent[]): Map<string, EngagementEvent[]> {
  const m = new Map<string, EngagementEvent[]>();
  for (const e of events) {
    const list = m.get(e.entityId);
    if (list) list.push(e);
    else m.set(e.entityId, [e]);
  }
  return m;
}

function simulate(): { warm: Map<string, EntityState>; day30: EngagementEvent[] } {
  const warm = new Map<string, EntityState>();
  const day30: EngagementEvent[] = [];
  const split = START + (DAYS - 1) * DAY;
  for (const e of createSimulation({ seed: 11, learners: LEARNERS, days: DAYS, startTimeMs: START })) {
    if (e.eventTimeMs >= split) {
      day30.push(e);
      continue;
    }
    let s = warm.get(e.entityId);
    if (!s) warm.set(e.entityId, (s = emptyState()));
    foldEvents(s, [e], registry);
  }
  return { warm, day30 };
}

interface Phases {
  decode: number;
  fold: number;
  encode: number;
  events: number;
  entities: number;
}

/** The per-batch cycle over `batches`, from states stored with `codec`. */
function cycle(codec: Codec, stored: Map<string, Buffer | string>, batches: EngagementEvent[][]): Phases {
  const out: Phases = { decode: 0, fold: 0, encode: 0, events: 0, entities: 0 };
  for (const batch of batches) {
    const groups = [...byEntity(batch)];
    const states: EntityState[] = new Array(groups.length);
    out.decode += cpuUs(() => {
      for (let i = 0; i < groups.length; i++) {
        const v = stored.get(groups[i][0]);
        states[i] = v === undefined ? emptyState() : codec.decode(v);
      }
    });
    const applied: boolean[] = new Array(groups.length);
    out.fold += cpuUs(() => {
      for (let i = 0; i < groups.length; i++) applied[i] = foldEvents(states[i], groups[i][1], registry).applied > 0;
    });
    out.encode += cpuUs(() => {
      for (let i = 0; i < groups.length; i++) if (applied[i]) stored.set(groups[i][0], codec.encode(states[i]));
    });
    out.events += batch.length;
    out.entities += groups.length;
  }
  return out;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function readPath(codec: Codec, stored: Map<string, Buffer | string>, asOf: number): string {
  const ids = [...stored.keys()].slice(0, 1000);
  const values = ids.map((id) => stored.get(id) as Buffer);
  let decodeUs = Infinity;
  let evaluateUs = Infinity;
  let states: EntityState[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    decodeUs = Math.min(
      decodeUs,
      cpuUs(() => (states = values.map((v) => codec.decode(v)))),
    );
    evaluateUs = Math.min(
      evaluateUs,
      cpuUs(() => states.forEach((s) => evaluate(s, asOf, registry))),
    );
  }
  const lat: number[] = [];
  for (let r = 0; r < 2; r++) {
    for (const v of values) {
      const t = process.hrtime.bigint();
      evaluate(codec.decode(v), asOf, registry);
      if (r === 1) lat.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }
  lat.sort((a, b) => a - b);
  const batchMs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (const v of values) evaluate(codec.decode(v), asOf, registry);
    batchMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  batchMs.sort((a, b) => a - b);
  return (
    `decode ${(decodeUs / ids.length).toFixed(2)} + evaluate (all ${registry.views.length} views) ${(evaluateUs / ids.length).toFixed(2)} µs/entity (CPU); ` +
    `one entity decode+evaluate p50 ${percentile(lat, 0.5).toFixed(1)} µs, p99 ${percentile(lat, 0.99).toFixed(1)} µs; ` +
    `1000 entities: median ${batchMs[2].toFixed(2)} ms, best ${batchMs[0].toFixed(2)} ms (wall)`
  );
}

/**
 * foldBatchIntoStore over an InMemoryOnlineStore (the store's encoding, compare-and-set and, unless
 * disabled, its state cache): the first half of day 30 warms the cache up, the second half is measured.
 */
async function foldBatches(
  warm: Map<string, EntityState>,
  batches: EngagementEvent[][],
  stateCache: boolean,
): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const store = new InMemoryOnlineStore({ ttlSeconds: 0 });
    await store.putStates(
      new Map([...warm].map(([id, state]) => [id, { state: cloneState(state), expectedVersion: 0 }])),
    );
    const half = batches.length >> 1;
    const options = stateCache
      ? { stateCache: new StateCache({ maxEntries: LEARNERS }) }
      : { stateCache: false as const };
    for (const b of batches.slice(0, half)) await foldBatchIntoStore(store, b, registry, options);
    let us = 0;
    let events = 0;
    for (const b of batches.slice(half)) {
      const c = process.cpuUsage();
      await foldBatchIntoStore(store, b, registry, options);
      const d = process.cpuUsage(c);
      us += d.user + d.system;
      events += b.length;
    }
    best = Math.min(best, us / events);
  }
  return best;
}

async function run(): Promise<void> {
  const t0 = Date.now();
  const { warm, day30 } = simulate();
  const batches: EngagementEvent[][] = [];
  for (let i = 0; i + BATCH <= day30.length; i += BATCH) batches.push(day30.slice(i, i + BATCH));
  // Worst case: one event per learner per batch (each learner's first event of day 30).
  const firsts = [...byEntity(day30).values()].map((l) => l[0]);
  console.log(
    `${LEARNERS} learners, 29 days folded (${((Date.now() - t0) / 1000).toFixed(1)} s); day 30: ${day30.length} events in ${batches.length} batches of ${BATCH} ` +
      `(${Math.round(batches.reduce((s, b) => s + byEntity(b).size, 0) / batches.length)} learners per batch on average)`,
  );
  const asOf = START + DAYS * DAY;
  // Two passes over the codecs, the first unreported: JIT warm-up, and the simulation's garbage
  // collected, for every codec alike.
  for (const pass of [0, 1])
    for (const codec of CODECS) {
      const quiet = pass === 0;
      const sizes = [...warm.values()].map((s) => Buffer.byteLength(codec.encode(s) as string)).sort((a, b) => a - b);
      const line = (label: string, p: Phases) => {
        const us = (x: number) => (x / p.events).toFixed(2);
        return `  ${label}: decode ${us(p.decode)} + fold ${us(p.fold)} + encode ${us(p.encode)} = ${us(p.decode + p.fold + p.encode)} µs/event (${(p.events / p.entities).toFixed(1)} events/learner)`;
      };
      const storedOf = () => new Map([...warm].map(([id, s]) => [id, codec.encode(s)] as const));
      // Warm-up (JIT), then the measured runs on fresh copies of the day-29 states.
      cycle(codec, storedOf(), batches.slice(0, 2));
      const best = (batchesOf: EngagementEvent[][]) => {
        let min: Phases | undefined;
        for (let r = 0; r < ROUNDS; r++) {
          const stored = storedOf();
          const p = cycle(codec, stored, batchesOf);
          if (!min || p.decode + p.fold + p.encode < min.decode + min.fold + min.encode) min = p;
        }
        return min as Phases;
      };
      const realistic = best(batches);
      const worst = best([firsts]);
      const stored = storedOf();
      if (quiet) {
        readPath(codec, stored, asOf);
        continue;
      }
      console.log(
        `${codec.name}: state size median ${sizes[sizes.length >> 1]} B, p99 ${percentile(sizes, 0.99)} B, max ${sizes[sizes.length - 1]} B`,
      );
      console.log(line(`batches of ${BATCH}`, realistic));
      console.log(line('one event per learner', worst));
      console.log(`  read: ${readPath(codec, stored, asOf)}`);
      if (codec.name === 'store') {
        const cached = await foldBatches(warm, batches, true);
        const uncached = await foldBatches(warm, batches, false);
        console.log(
          `  foldBatchIntoStore (in-memory store, batches of ${BATCH}): ${cached.toFixed(2)} µs/event with its state cache, ${uncached.toFixed(2)} without`,
        );
      }
    }
}

run().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
