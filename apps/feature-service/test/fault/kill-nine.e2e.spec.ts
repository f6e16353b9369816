import { DEFAULT_ALLOWED_LATENESS_MS, learningEngagementRegistry } from '@pulse/features';
import { Prng } from '@pulse/simulator';
import { waitFor } from '@pulse/testing';
import { endOffsets, FaultHarness } from './fault-harness';
import { collectOutcome, type Outcome } from './outcome';
import type { ServiceProcess } from './service-process';
import { generateStream, StreamProducer, type GeneratedStream } from './stream';
import { compareDlq, compareLog, compareStates, computeTruth, expectNoFaults, plainSplit, type Truth } from './truth';

// The reliability bar for crashes: a stream of ~154k records of 1,200 learners (re-sends, events too
// late and at the lateness bound, bad records) produced as fast as the service takes it, while the
// service — the built one, a child process — is killed with SIGKILL eleven times: at ~20, 32, 44, 56,
// 68 and 80 % of the log (restarted after 0–3 s), 0.2–1.5 s into a restart, in the first write after a
// restart (twice), and just after the DLQ topic grew (twice).
// Afterwards the log, the online states and the DLQ must be exactly what the product's own fold says
// the sent stream means: nothing lost, nothing twice. PULSE_FAULT_SEED picks another stream and
// schedule; PULSE_FAULT_VERBOSE=1 prints the service's output.
const SEED = process.env.PULSE_FAULT_SEED ?? 'kill-nine-1';
const LEARNERS = 1200;
const DAYS = 25;

/** A pause that is part of the fault schedule (how long the service stays dead), not a wait for a condition. */
const faultPause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('feature-service killed with SIGKILL mid-stream (child process; Kafka mock, Postgres, Redis)', () => {
  const h = new FaultHarness('kill9');
  const registry = learningEngagementRegistry({ allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS });
  let stream: GeneratedStream;
  let truth: Truth;
  let svc: ServiceProcess;
  let producer: StreamProducer;
  const run = {
    kills: [] as { readonly when: string; readonly logRows: number; readonly restartAfterMs: number }[],
    errors: [] as string[],
    timings: {} as Record<string, number>,
  };
  let outcome: Outcome;

  beforeAll(async () => {
    const t0 = Date.now();
    const lap = (name: string) => (run.timings[name] = (Date.now() - t0) / 1000);
    await h.setUp();
    stream = generateStream({
      seed: SEED,
      learners: LEARNERS,
      days: DAYS,
      allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS,
    });
    truth = computeTruth(stream.records, registry);
    lap('generated');
    svc = await h.service('feature-service');
    await svc.start();
    lap('first start');
    producer = new StreamProducer(h, { seed: SEED });
    await producer.connect();

    const rng = new Prng(`kill-schedule-${SEED}`);
    const producing = producer.produce(stream.records).then(() => lap('produced'));
    // The kill schedule: each step waits (polling) for its moment, kills, waits 0–3 s (or not), restarts.
    const logAt = (fraction: number) => async () => {
      const target = Math.floor(truth.counts.applied * (fraction + rng.uniform(-0.02, 0.02)));
      await waitFor(async () => (await h.logCount()) >= target, {
        timeoutMs: 180_000,
        intervalMs: 100,
        message: `the event log at ${target} rows`,
      });
      return `log ≥ ${(fraction * 100).toFixed(0)} %`;
    };
    // As soon as the restarted service has written rows: its first batches' effects and commits in flight.
    // A moment that may come after the whole stream is in (a fast service, a slow schedule): then at once.
    const logComplete = async () => (await h.logCount()) >= truth.counts.applied;
    const firstWrite = async () => {
      const before = await h.logCount();
      await waitFor(async () => (await h.logCount()) > before || (await logComplete()), {
        timeoutMs: 180_000,
        intervalMs: 20,
        message: 'rows written after the restart',
      });
      return 'first write after a restart';
    };
    // As soon as the DLQ topic grew: a dead letter just published, its bookkeeping maybe not yet.
    const dlqGrew = async () => {
      const sum = async () => (await endOffsets(h.admin, h.topics.dlq)).reduce((a, b) => a + b, 0);
      const before = await sum();
      await waitFor(async () => (await sum()) > before || (await logComplete()), {
        timeoutMs: 180_000,
        intervalMs: 10,
        message: 'the DLQ topic growing',
      });
      return 'the DLQ just grew';
    };
    const schedule: {
      readonly moment: () => Promise<string>;
      readonly killWhileStarting?: boolean;
      readonly restartAtOnce?: boolean;
    }[] = [
      { moment: logAt(0.2) },
      { moment: logAt(0.32), killWhileStarting: true },
      { moment: firstWrite, restartAtOnce: true },
      { moment: logAt(0.44) },
      { moment: dlqGrew, restartAtOnce: true },
      { moment: logAt(0.56) },
      { moment: logAt(0.68) },
      { moment: dlqGrew },
      { moment: logAt(0.8) },
      { moment: firstWrite, restartAtOnce: true },
    ];
    const killing = (async () => {
      for (const step of schedule) {
        const when = await step.moment();
        const logRows = await h.logCount();
        await svc.kill9(`${when}, log at ${logRows} rows`);
        const restartAfterMs = step.restartAtOnce ? 0 : rng.int(0, 3000);
        await faultPause(restartAfterMs);
        run.kills.push({ when, logRows, restartAfterMs });
        if (step.killWhileStarting) {
          // This restart is killed again while it starts (migrations, joining the group), then started for good.
          await svc.start({ ready: false });
          const startingFor = rng.int(200, 1500);
          await faultPause(startingFor);
          await svc.kill9(`${startingFor} ms into its start`);
          run.kills.push({ when: `${startingFor} ms into a start`, logRows: await h.logCount(), restartAfterMs: 0 });
        }
        await svc.start();
      }
      lap('last kill');
    })();
    for (const [what, p] of [
      ['producing', producing],
      ['kill schedule', killing],
    ] as const) {
      try {
        await p;
      } catch (err) {
        run.errors.push(`${what}: ${(err as Error).message}`);
      }
    }
    await producer.disconnect();

    outcome = await collectOutcome(h, svc, truth);
    run.errors.push(...outcome.errors);
    lap('read back');
  }, 480_000);

  afterAll(async () => {
    if (truth) {
      console.log(
        `kill-nine (seed ${SEED}): ${JSON.stringify(truth.counts)}; kcat records ${producer?.kcatRecords}; kills ${JSON.stringify(run.kills)}; ` +
          `timings (s from start) ${JSON.stringify(run.timings)}; caught up ${outcome?.caughtUp} (lag ${outcome?.lag.join(',')})`,
      );
    }
    await h.tearDown();
  }, 60_000);

  it('sent what it meant to: ≥150k records of ≥1,000 learners with re-sends, too-late, bad and edge records, by kafkajs and kcat, every one acknowledged at a known offset', () => {
    const { counts } = truth;
    expect(counts.records).toBeGreaterThanOrEqual(150_000);
    expect(counts.learners).toBeGreaterThanOrEqual(1000);
    expect(counts.duplicates).toBeGreaterThan(counts.records * 0.005);
    expect(counts.tooLate).toBeGreaterThan(counts.records * 0.002);
    expect(counts.bad).toBeGreaterThan(counts.records * 0.003);
    const notes = new Set(stream.records.map((r) => r.note));
    for (const note of ['event', 'resend', 'too_late', 'edge_on_time', 'edge_late', 'bad'])
      expect(notes).toContain(note);
    expect(producer.kcatRecords).toBeGreaterThan(0);
    expect(stream.records.every((r) => r.offset >= 0)).toBe(true);
    // Nothing but these records in the topic: the offsets the DLQ is matched by are the records'.
    expect(outcome.endOffsets.reduce((a, b) => a + b, 0)).toBe(stream.records.length);
    expect(outcome.endOffsets).toEqual([...producer.endOffsets]);
    // The truth (the product's fold) splits the stream as the contract's rules say.
    const plain = plainSplit(stream.records, DEFAULT_ALLOWED_LATENESS_MS);
    expect(plain.duplicates).toBe(counts.duplicates);
    expect(new Set(truth.applied.keys())).toEqual(plain.applied);
    expect(new Set(truth.dead.filter((d) => d.reasons[0] === 'too_late').map((d) => d.record.seq))).toEqual(
      plain.tooLate,
    );
  });

  it('killed the service with SIGKILL eleven times mid-stream (≥ 3 required), and it came back every time', () => {
    expect(run.errors).toEqual([]);
    expect(run.kills.length).toBe(11);
    expect(svc.kills).toBe(run.kills.length);
    expect(svc.running).toBe(true);
  });

  it('the consumer group committed every partition up to its end', () => {
    expect({ caughtUp: outcome.caughtUp, lag: outcome.lag }).toEqual({ caughtUp: true, lag: [0, 0, 0, 0] });
  });

  it('(a) the event log holds exactly the accepted events: none missing, none extra, none twice, each as sent', () => {
    expectNoFaults(compareLog(truth, outcome.log));
  });

  it('(b) every learner’s online state (HTTP online path, and Redis decoded) equals the truth and its replay from the log', () => {
    expectNoFaults(compareStates(truth, outcome.log, registry, outcome.answers, outcome.redisStates));
  });

  it('(c) every bad and too-late record is in the DLQ exactly once per send, with its reason and bytes, and nothing else is', () => {
    expectNoFaults(compareDlq(truth, h.dlq.entries, h.topics.events));
  });
});
