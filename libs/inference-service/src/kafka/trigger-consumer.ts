import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BatchContext, BusMessage, OutgoingMessage, Subscription } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  LEARNING_ENGAGEMENT_CATALOG,
  decodeEngagementEvent,
  type EngagementEvent,
} from '@pulse/contracts';
import type { InferenceServiceMetrics } from '../app/inference-service.metrics';
import { IS_CONFIG, IS_INFRASTRUCTURE, IS_METRICS } from '../app/tokens';
import type { InferenceServiceConfig } from '../config/inference-service.config';
import type { InferenceInfrastructure } from '../infrastructure/inference-infrastructure';
import { ModelServer } from '../serving/model-server.service';
import { Predictor } from '../serving/predictor.service';

/**
 * The Kafka path: every trigger event on the events topic gets its predictions (the serving aliases'
 * and, without a model, the fallback's) published to predictions.<model>.v1, keyed by entity, before
 * the batch is committed. Delivery is at-least-once; a redelivered trigger yields the same prediction
 * ids (from model, trigger event id and alias), so consumers dedupe. Records that are not valid events
 * are skipped here (feature-service dead-letters them).
 */
@Injectable()
export class TriggerConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TriggerConsumer');
  private subscription?: Subscription;
  private lagTimer?: NodeJS.Timeout;

  constructor(
    private readonly predictor: Predictor,
    private readonly models: ModelServer,
    @Inject(IS_CONFIG) private readonly config: InferenceServiceConfig,
    @Inject(IS_INFRASTRUCTURE) private readonly infra: InferenceInfrastructure,
    @Inject(IS_METRICS) private readonly metrics: InferenceServiceMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Triggers are scored by the registry's versions, not by the fallback of a copy still loading them.
    await this.models.ready;
    this.subscription = await this.infra.bus.subscribe({
      groupId: this.config.consumerGroup,
      topics: [this.config.topics.events],
      fromBeginning: this.config.fromBeginning,
      maxBatchSize: this.config.maxBatchSize,
      handler: (batch, ctx) => this.handleBatch(batch, ctx),
      onBatch: (r) => this.metrics.consumerLag.set({ topic: r.topic, partition: String(r.partition) }, r.lag),
      onError: (err) =>
        this.log.error(`the trigger consumer stopped: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.lagTimer = setInterval(() => {
      for (const l of this.subscription?.lag() ?? [])
        this.metrics.consumerLag.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
    }, 1000);
    this.lagTimer.unref();
    this.log.log(
      `predicting ${this.predictor.triggeredModels().join(', ') || 'no model'} on ${this.config.topics.events} as group ${this.config.consumerGroup}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.subscription?.stop();
  }

  /** For tests: simulates a crash of the consumer (the batch in hand is not committed). */
  async kill(): Promise<void> {
    await this.subscription?.kill();
  }

  async handleBatch(batch: readonly BusMessage[], ctx: BatchContext): Promise<void> {
    const receivedMs = performance.now();
    const nowMs = Date.now();
    const triggers: EngagementEvent[] = [];
    for (const message of batch) {
      const decoded = decodeEngagementEvent(
        message.value,
        message.headers[CONTENT_TYPE_HEADER],
        LEARNING_ENGAGEMENT_CATALOG,
        {
          nowMs,
          maxFutureSkewMs: this.config.maxFutureSkewMs,
        },
      );
      if (!decoded.ok) {
        this.metrics.undecodable.inc();
        continue;
      }
      if (this.predictor.isTrigger(decoded.event)) triggers.push(decoded.event);
    }
    if (triggers.length === 0) return;

    // One entity's triggers in order (its predictions are published in that order); entities at once.
    const byEntity = new Map<string, EngagementEvent[]>();
    for (const e of triggers) {
      const list = byEntity.get(e.entityId);
      if (list) list.push(e);
      else byEntity.set(e.entityId, [e]);
    }
    const out = new Map<string, OutgoingMessage[]>();
    const lists = [...byEntity.values()];
    let next = 0;
    const worker = async () => {
      while (next < lists.length) {
        const list = lists[next++];
        for (const event of list) {
          for (const record of await this.predictor.predictTrigger(event, receivedMs, ctx.signal)) {
            const messages = out.get(record.topic) ?? [];
            messages.push(record.message);
            out.set(record.topic, messages);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, lists.length) }, worker));
    await Promise.all([...out].map(([topic, messages]) => this.infra.publisher.publish(topic, messages)));
    const publishedS = (performance.now() - receivedMs) / 1000;
    for (const e of triggers)
      for (const model of this.predictor.modelsTriggeredBy(e))
        this.metrics.publishLatency.observe({ model }, publishedS);
  }
}
