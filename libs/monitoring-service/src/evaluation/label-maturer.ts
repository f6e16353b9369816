import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EngagementEvent } from '@pulse/contracts';
import { WakeableLoop } from '@pulse/core';
import { DEFAULT_MODELS, LABELS, type LabelSpec, type ModelSpec } from '@pulse/models';
import type { MaturingPrediction, OutcomeEvent } from '@pulse/storage';
import type { MonitoringServiceMetrics } from '../app/monitoring-service.metrics';
import { MS_CONFIG, MS_INFRASTRUCTURE, MS_METRICS } from '../app/tokens';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';
import { OutcomeConsumer } from '../kafka/outcome-consumer';

const BATCH = 5000;

/**
 * Joins each prediction with its label once the label is final — its horizon behind the outcome
 * watermark (the least of the events topic's partitions', an idle partition left out) — decided by the model spec's own label kind (the function the training-set builder
 * uses), so live labels are the labels the model was trained on.
 */
@Injectable()
export class LabelMaturer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('LabelMaturer');
  private readonly loop: WakeableLoop;
  private readonly startedAt = Date.now();

  constructor(
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
    @Inject(MS_METRICS) private readonly metrics: MonitoringServiceMetrics,
    private readonly outcomes: OutcomeConsumer,
  ) {
    this.loop = new WakeableLoop(async () => void (await this.matureAll()), Math.min(1000, config.evaluateMs));
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Labels everything final now; resolves when done (tests call it to wait for a sweep). */
  async matureAll(): Promise<number> {
    let total = 0;
    try {
      // The least of the partitions' watermarks, once every partition this copy reads has one.
      const watermark = await this.infra.monitoring.outcomeWatermark({
        idleMs: this.config.idlePartitionMs,
        partitions: Date.now() - this.startedAt < this.config.idlePartitionMs ? this.outcomes.assignedPartitions() : [],
        idleFromMs: this.startedAt + this.config.idlePartitionMs,
      });
      if (watermark === null) return 0;
      for (;;) {
        const labelled = await this.infra.monitoring.maturePredictions(watermark, BATCH, (p, events) =>
          labelOf(p, events, watermark),
        );
        for (const l of labelled) this.metrics.labels.inc({ model: l.model, label: String(l.label) });
        total += labelled.length;
        if (labelled.length < BATCH || this.loop.isStopped) return total;
      }
    } catch (err) {
      this.log.warn(`maturing labels failed; retrying: ${err instanceof Error ? err.message : String(err)}`);
      return total;
    }
  }
}

/** The label the spec's label kind gives the prediction's trigger from the entity's outcome events. */
export function labelOf(p: MaturingPrediction, events: readonly OutcomeEvent[], watermarkMs: number): 0 | 1 {
  const spec: ModelSpec | undefined = (DEFAULT_MODELS as Record<string, ModelSpec>)[p.model];
  if (!spec) return 0;
  const kind = LABELS[spec.label.kind] as (typeof LABELS)[LabelSpec['kind']];
  const asEvent = (e: OutcomeEvent): EngagementEvent => ({
    eventId: e.eventId,
    entityId: e.entityId,
    eventType: e.eventType,
    eventTimeMs: e.eventTimeMs,
    channel: e.channel as EngagementEvent['channel'],
    ...(e.contentId !== undefined ? { contentId: e.contentId } : {}),
    attributes: {},
  });
  const trigger: EngagementEvent = {
    eventId: p.predictionId,
    entityId: p.entityId,
    eventType: spec.trigger.kind === 'event' ? spec.trigger.eventType : 'trigger',
    eventTimeMs: p.asOfMs,
    channel: (p.channel ?? '') as EngagementEvent['channel'],
    ...(p.contentId !== null ? { contentId: p.contentId } : {}),
    attributes: {},
  };
  const outcome = kind.outcome(
    spec.label as never,
    { entityId: p.entityId, timeMs: p.asOfMs, trigger },
    events.map(asEvent),
    watermarkMs,
  );
  return outcome === 1 ? 1 : 0;
}
