import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { SimulatorBackfill } from '@pulse/nest-common';
import { CHAMPION } from '@pulse/training-jobs';
import { TS_INFRASTRUCTURE, TS_OPTIONS } from '../app/tokens';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingRequests } from '../jobs/training-requests';
import type { TrainingServiceModuleOptions } from '../module/training-service.options';

/** The models a newcomer's platform trains by itself once the simulated history is in. */
export const BOOTSTRAP_MODELS: readonly string[] = ['lesson_completion', 'dropout_risk'];

/** Events may reach the log this much behind the last one published (the simulator's late events). */
const LATENESS_MARGIN_MS = 3_600_000;
const POLL_MS = 1000;
/** Share of the backfill's events the log must hold (a few may be refused, e.g. as too late)… */
const NEARLY_ALL = 0.98;
/** …unless its count has stopped growing over this many polls. */
const SETTLE_POLLS = 5;

/**
 * The embedded start's first trainings: once the simulator's backfill is published and the event log
 * holds it, one job per default model without a champion. The request id is the model and the log's
 * day, so a restart on a kept database (PULSE_DATA_DIR) the same day queues nothing new.
 */
@Injectable()
export class BootstrapTrainer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('BootstrapTraining');
  private readonly stop = new AbortController();
  private running?: Promise<void>;

  constructor(
    @Inject(TS_OPTIONS) private readonly options: TrainingServiceModuleOptions,
    @Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure,
    private readonly requests: TrainingRequests,
  ) {}

  onApplicationBootstrap(): void {
    const backfill = this.options.simulatorBackfill;
    if (backfill === undefined) return;
    this.running = this.run(backfill).catch((err: unknown) =>
      this.log.warn(`the first trainings were not queued: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async run(backfill: Promise<SimulatorBackfill>): Promise<void> {
    const published = await this.until(backfill);
    if (published === undefined) return;
    const watermark = await this.logHolds(published);
    if (watermark === undefined) return;
    const day = new Date(watermark).toISOString().slice(0, 10);
    for (const model of BOOTSTRAP_MODELS) {
      if (!this.requests.knows(model)) continue;
      if ((await this.infra.registry.resolveAlias(model, CHAMPION)) !== null) continue;
      const { job, created } = await this.requests.submit({
        requestId: `bootstrap-${model}-${day}`,
        model,
        params: {},
        trigger: 'bootstrap',
        reason: 'embedded start: the simulated history is in and the model has no champion yet',
        requestedBy: 'training-service',
      });
      if (created) this.log.log(`queued job ${job.id}: training ${model} on the simulated history`);
    }
  }

  /**
   * The log's newest event time once the log holds the backfill: its newest event is the backfill's
   * last (less the simulator's lateness), and nearly all its events are in, or ingestion has settled
   * (some may have been refused). The newest time alone says too little: partitions are ingested side
   * by side, and one may be done while another is behind. Undefined when stopped first.
   */
  private async logHolds(backfill: SimulatorBackfill): Promise<number | undefined> {
    const counts: number[] = [];
    while (!this.stop.signal.aborted) {
      const [row]: { watermark: string | null; events: string }[] = await this.infra.dataSource.query(
        'SELECT max(event_time_ms) AS watermark, count(*) AS events FROM event_log',
      );
      const watermark = row?.watermark === null || row?.watermark === undefined ? -Infinity : Number(row.watermark);
      const events = Number(row?.events ?? 0);
      counts.push(events);
      if (counts.length > SETTLE_POLLS) counts.shift();
      const settled = counts.length === SETTLE_POLLS && events - counts[0] <= backfill.events * 0.001;
      const reached = watermark >= backfill.eventTimeMs - LATENESS_MARGIN_MS;
      if (reached && (events >= backfill.events * NEARLY_ALL || settled)) return watermark;
      const waited = new Promise<boolean>((resolve) => setTimeout(() => resolve(true), POLL_MS).unref());
      if ((await this.until(waited)) === undefined) break;
    }
    return undefined;
  }

  /** The promise's value, or undefined if the service stops first. */
  private until<T>(promise: Promise<T>): Promise<T | undefined> {
    if (this.stop.signal.aborted) return Promise.resolve(undefined);
    return Promise.race([
      promise,
      new Promise<undefined>((resolve) =>
        this.stop.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
      ),
    ]);
  }
}
