import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BusMessage, Subscription } from '@pulse/bus';
import { CONTENT_TYPE_HEADER, decodeEngagementEvent, LEARNING_ENGAGEMENT_CATALOG } from '@pulse/contracts';
import { ConnectionError } from '@pulse/core';
import { DEFAULT_MODELS, type ModelSpec } from '@pulse/models';
import type { EntityProfile, OutcomeEvent } from '@pulse/storage';
import type { MonitoringServiceMetrics } from '../app/monitoring-service.metrics';
import { MS_CONFIG, MS_INFRASTRUCTURE, MS_METRICS } from '../app/tokens';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';

// An event this far in the future (as producers' clocks go) is not valid, so it moves no watermark.
const MAX_FUTURE_SKEW_MS = 300_000;

/**
 * Keeps what labels mature from: the watched models' label events (e.g. lesson_completed), the
 * learners' profiles (fairness groups), and each partition's watermark — the newest event time
 * consumed from it less MONITORING_LABEL_LATENESS_MS — all stored in one transaction per batch.
 */
@Injectable()
export class OutcomeConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OutcomeConsumer');
  private readonly outcomeTypes: ReadonlySet<string>;
  private readonly profileAttributes: ReadonlySet<string>;
  private subscription?: Subscription;

  constructor(
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
    @Inject(MS_METRICS) private readonly metrics: MonitoringServiceMetrics,
  ) {
    const specs = config.models.map((m) => (DEFAULT_MODELS as Record<string, ModelSpec>)[m]);
    this.outcomeTypes = new Set(specs.flatMap((s) => (s.label.kind === 'eventWithin' ? s.label.eventTypes : [])));
    this.profileAttributes = new Set(specs.flatMap((s) => s.fairnessAttributes ?? []));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.infra.bus.subscribe({
      groupId: `${this.config.consumerGroup}-outcomes`,
      topics: [this.config.topics.events],
      fromBeginning: true,
      maxBatchSize: 5000,
      handler: (batch, ctx) => this.onBatch(batch, ctx.partition),
      onBatch: (r) => this.metrics.consumerLag.set({ topic: r.topic, partition: String(r.partition) }, r.lag),
      onError: (err) =>
        this.log.error(`the outcomes consumer stopped: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  kill(): Promise<void> | undefined {
    return this.subscription?.kill();
  }

  /** The partitions of the events topic this copy reads (their watermarks must exist before labels mature). */
  assignedPartitions(): string[] {
    return (this.subscription?.assignment()[this.config.topics.events] ?? []).map(String);
  }

  private async onBatch(batch: readonly BusMessage[], partition: number): Promise<void> {
    const nowMs = Date.now();
    const outcomes: OutcomeEvent[] = [];
    const profiles: EntityProfile[] = [];
    let newest = -Infinity;
    for (const message of batch) {
      const decoded = decodeEngagementEvent(
        message.value,
        message.headers[CONTENT_TYPE_HEADER],
        LEARNING_ENGAGEMENT_CATALOG,
        {
          nowMs,
          maxFutureSkewMs: MAX_FUTURE_SKEW_MS,
        },
      );
      if (!decoded.ok) continue; // feature-service dead-letters it
      const e = decoded.event;
      newest = Math.max(newest, e.eventTimeMs);
      if (this.outcomeTypes.has(e.eventType))
        outcomes.push({
          entityId: e.entityId,
          eventId: e.eventId,
          eventType: e.eventType,
          eventTimeMs: e.eventTimeMs,
          channel: e.channel,
          ...(e.contentId !== undefined ? { contentId: e.contentId } : {}),
        });
      if (e.profile) {
        const groups: Record<string, string> = {};
        for (const [k, v] of Object.entries(e.profile))
          if (this.profileAttributes.has(k) && v !== undefined && v !== null) groups[k] = String(v);
        if (Object.keys(groups).length > 0)
          profiles.push({ entityId: e.entityId, profile: groups, eventTimeMs: e.eventTimeMs });
      }
    }
    if (newest === -Infinity) return;
    try {
      await this.infra.monitoring.recordOutcomes(
        outcomes,
        profiles,
        Math.floor(newest - this.config.labelLatenessMs),
        String(partition),
      );
    } catch (err) {
      throw new ConnectionError(`recording outcomes failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
