import { DEFAULT_ALLOWED_LATENESS_MS, learningEngagementRegistry } from '@pulse/features';
import { Prng } from '@pulse/simulator';
import { TcpProxy, testRedisUrl, waitFor, type TcpProxyCutMode, type TcpProxyCutOptions } from '@pulse/testing';
import { FaultHarness } from './fault-harness';
import { collectOutcome, type Outcome } from './outcome';
import type { ServiceProcess } from './service-process';
import { getHealth, type HealthAnswer } from './service-reads';
import { generateStream, StreamProducer, type GeneratedStream } from './stream';
import { compareDlq, compareLog, compareStates, computeTruth, expectNoFaults, type Truth } from './truth';

// Dependency outages under a steady stream: the service (the built one, a child process) reaches
// Postgres and Redis through TCP proxies. Mid-stream Redis is cut for 30 s (connections reset, new
// ones refused), later Postgres for 30 s (open connections frozen: a hung database; new ones accepted
// and never answered). During each cut /health must say so (not ok, the dependency down) at every
// poll; afterwards ok again. Then six short flaps (0.3–2 s, either dependency, either mode) at random
// points of the flow, where a write may land and its answer be lost. At the end nothing is lost or
// counted twice, and the DLQ holds only the bad records that were sent.
const SEED = process.env.PULSE_FAULT_SEED ?? 'outage-1';
const CUT_MS = 30_000;
const STREAM_SECONDS = 125;
const FLAPS = 6;

/** How long a cut lasts is the fault itself (a timer), not a wait for a condition. */
const faultPause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface CutReport {
  readonly dependency: 'redis' | 'postgres';
  readonly mode: TcpProxyCutMode;
  readonly logRowsAtCut: number;
  /** ms from the cut to the first /health that was not ok with the dependency down; null if never. */
  degradedAfterMs: number | null;
  /** Polls during the cut, and how many of those after the first degraded one said ok anyway. */
  polls: number;
  okAfterDegraded: number;
  /** /health requests that got no answer within 5 s during the cut. */
  unanswered: number;
  statuses: Record<string, number>;
  /** ms from restore to /health ok again; null if it never was. */
  okAgainAfterMs: number | null;
  lastHealth?: unknown;
}

describe('feature-service through Redis and Postgres outages (child process behind TCP proxies)', () => {
  const h = new FaultHarness('outage');
  const registry = learningEngagementRegistry({ allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS });
  let stream: GeneratedStream;
  let truth: Truth;
  let svc: ServiceProcess;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  const cuts: CutReport[] = [];
  const errors: string[] = [];
  let outcome: Outcome;
  let exitsDuringRun = 0;
  const flaps: { dependency: string; mode: TcpProxyCutMode; existing: string; ms: number; logRows: number }[] = [];

  /** Cuts one dependency for CUT_MS while polling /health, restores it, and waits for ok again. */
  async function outage(
    dependency: 'redis' | 'postgres',
    proxy: TcpProxy,
    mode: TcpProxyCutMode,
    options: TcpProxyCutOptions,
  ): Promise<void> {
    const report: CutReport = {
      dependency,
      mode,
      logRowsAtCut: await h.logCount(),
      degradedAfterMs: null,
      polls: 0,
      okAfterDegraded: 0,
      unanswered: 0,
      statuses: {},
      okAgainAfterMs: null,
    };
    cuts.push(report);
    const cutAt = Date.now();
    proxy.cut(mode, options);
    const restoreAt = cutAt + CUT_MS;
    // Poll /health through the cut (a poll every 500 ms, each with its own 5 s deadline).
    const polling = (async () => {
      while (Date.now() < restoreAt - 300) {
        const started = Date.now();
        let answer: HealthAnswer | null = null;
        try {
          answer = await getHealth(svc.url, 5000);
        } catch {
          report.unanswered++;
        }
        if (Date.now() >= restoreAt) break;
        report.polls++;
        if (answer) {
          report.lastHealth = answer.body;
          const key = `${answer.httpStatus} ${answer.status} ${dependency}=${answer.deps[dependency] ?? '?'}`;
          report.statuses[key] = (report.statuses[key] ?? 0) + 1;
          const degraded = answer.status !== 'ok' && answer.deps[dependency] === 'down';
          if (degraded && report.degradedAfterMs === null) report.degradedAfterMs = Date.now() - cutAt;
          else if (answer.status === 'ok' && report.degradedAfterMs !== null) report.okAfterDegraded++;
        }
        await faultPause(started + 500 - Date.now());
      }
    })();
    await faultPause(restoreAt - Date.now());
    proxy.restore();
    await polling;
    const restoredAt = Date.now();
    try {
      await waitFor(async () => (await getHealth(svc.url, 5000)).status === 'ok', {
        timeoutMs: 90_000,
        intervalMs: 250,
        message: `/health ok after ${dependency} is back`,
      });
      report.okAgainAfterMs = Date.now() - restoredAt;
    } catch (err) {
      errors.push(
        `${dependency}: ${(err as Error).message}; last: ${JSON.stringify(await getHealth(svc.url, 5000).catch((e) => String(e)))}`,
      );
    }
  }

  beforeAll(async () => {
    await h.setUp();
    pgProxy = h.own(await TcpProxy.forUrl(h.databaseUrl));
    redisProxy = h.own(await TcpProxy.forUrl(testRedisUrl()));
    stream = generateStream({
      seed: SEED,
      learners: 800,
      days: 9,
      allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS,
      tooLateFraction: 0,
      edgeFraction: 0,
    });
    truth = computeTruth(stream.records, registry);
    svc = await h.service('feature-service', {
      databaseUrl: pgProxy.urlFor(h.databaseUrl),
      redisUrl: redisProxy.urlFor(testRedisUrl()),
    });
    await svc.start();
    await waitFor(async () => (await getHealth(svc.url)).status === 'ok', {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: '/health ok before the faults',
    });

    // A supervisor, as in production: a service that dies is noted and started again.
    let supervising = true;
    const supervisor = (async () => {
      while (supervising) {
        if (!svc.running) {
          exitsDuringRun++;
          errors.push(`the service exited during the run:\n${svc.logTail(20)}`);
          await svc.start().catch((err: Error) => errors.push(`restart failed: ${err.message}`));
        }
        await faultPause(200);
      }
    })();

    const producer = new StreamProducer(h, {
      seed: SEED,
      chunkSize: 500,
      ratePerSecond: Math.ceil(stream.records.length / STREAM_SECONDS),
    });
    await producer.connect();
    const producing = producer.produce(stream.records);
    const faults = (async () => {
      const applied = truth.counts.applied;
      await waitFor(async () => (await h.logCount()) >= applied * 0.12, {
        timeoutMs: 120_000,
        intervalMs: 100,
        message: 'the log at 12 %',
      });
      await outage('redis', redisProxy, 'refuse', { existing: 'destroy' });
      const after = await h.logCount();
      await waitFor(async () => (await h.logCount()) >= after + applied * 0.08, {
        timeoutMs: 120_000,
        intervalMs: 100,
        message: 'the log 8 % further after Redis came back',
      });
      await outage('postgres', pgProxy, 'blackhole', { existing: 'freeze' });
      const rng = new Prng(`flaps-${SEED}`);
      for (let i = 0; i < FLAPS; i++) {
        const since = await h.logCount();
        await waitFor(async () => (await h.logCount()) >= since + rng.int(200, 1500), {
          timeoutMs: 120_000,
          intervalMs: 50,
          message: `the log growing before flap ${i + 1}`,
        });
        const [dependency, proxy] = rng.bernoulli(0.5)
          ? (['redis', redisProxy] as const)
          : (['postgres', pgProxy] as const);
        const mode: TcpProxyCutMode = rng.bernoulli(0.5) ? 'refuse' : 'blackhole';
        const existing = rng.bernoulli(0.5) ? 'destroy' : 'freeze';
        const ms = rng.int(300, 2000);
        flaps.push({ dependency, mode, existing, ms, logRows: await h.logCount() });
        proxy.cut(mode, { existing });
        await faultPause(ms);
        proxy.restore();
      }
    })();
    for (const [what, p] of [
      ['producing', producing],
      ['faults', faults],
    ] as const) {
      try {
        await p;
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
      }
    }
    await producer.disconnect();
    outcome = await collectOutcome(h, svc, truth);
    supervising = false;
    await supervisor;
    errors.push(...outcome.errors);
  }, 420_000);

  afterAll(async () => {
    console.log(
      `outage (seed ${SEED}): ${JSON.stringify(truth?.counts)}; cuts ${JSON.stringify(cuts.map(({ lastHealth: _, ...c }) => c))}; flaps ${JSON.stringify(flaps)}; caught up ${outcome?.caughtUp}`,
    );
    await h.tearDown();
  }, 60_000);

  it('streamed through both outages and the flaps: the cuts fell mid-stream, and the service process never died', () => {
    expect(truth.counts.tooLate).toBe(0);
    expect(truth.counts.bad).toBeGreaterThan(0);
    expect(cuts.map((c) => c.dependency)).toEqual(['redis', 'postgres']);
    // Mid-stream: the log was neither empty nor complete when each cut began.
    for (const c of cuts) {
      expect(c.logRowsAtCut).toBeGreaterThan(0);
      expect(c.logRowsAtCut).toBeLessThan(truth.counts.applied * 0.9);
    }
    expect(flaps).toHaveLength(FLAPS);
    expect(flaps.every((f) => f.logRows < truth.counts.applied)).toBe(true);
    expect({ exitsDuringRun, errors }).toEqual({ exitsDuringRun: 0, errors: [] });
  });

  it.each(['redis', 'postgres'] as const)(
    '/health is not ok, naming %s down, at every poll of its cut (once noticed, within 10 s), and ok again after',
    (dependency) => {
      const c = cuts.find((x) => x.dependency === dependency)!;
      expect(c).toBeDefined();
      expect({
        degradedWithin10s: c.degradedAfterMs !== null && c.degradedAfterMs <= 10_000,
        okAfterDegraded: c.okAfterDegraded,
        unanswered: c.unanswered,
        okAgain: c.okAgainAfterMs !== null,
      }).toEqual({ degradedWithin10s: true, okAfterDegraded: 0, unanswered: 0, okAgain: true });
      expect(c.polls).toBeGreaterThan(20);
    },
  );

  it('the consumer group committed every partition up to its end', () => {
    expect({ caughtUp: outcome.caughtUp, lag: outcome.lag }).toEqual({ caughtUp: true, lag: [0, 0, 0, 0] });
  });

  it('(a) the event log holds exactly the accepted events: none missing, none extra, none twice', () => {
    expectNoFaults(compareLog(truth, outcome.log));
  });

  it('(b) every learner’s online state equals the truth and its replay from the log', () => {
    expectNoFaults(compareStates(truth, outcome.log, registry, outcome.answers, outcome.redisStates));
  });

  it('(c) the DLQ holds the bad records sent, once each, and nothing else', () => {
    expectNoFaults(compareDlq(truth, h.dlq.entries, h.topics.events));
  });
});
