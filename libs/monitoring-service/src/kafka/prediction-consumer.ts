import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BusMessage, Subscription } from '@pulse/bus';
import { CONTENT_TYPE_HEADER, ContractMessageError, decodePrediction, type PredictionMessage } from '@pulse/contracts';
import { ConnectionError } from '@pulse/core';
import { DriftWindow } from '@pulse/drift';
import { DEFAULT_MODELS, type ModelSpec } from '@pulse/models';
import { windowStart } from '@pulse/monitoring';
import type { DriftWindowDelta, MonitoredPrediction } from '@pulse/storage';
import type { MonitoringServiceMetrics } from '../app/monitoring-service.metrics';
import { MS_CONFIG, MS_INFRASTRUCTURE, MS_METRICS } from '../app/tokens';
import { predictionsTopicOf, type MonitoringServiceConfig } from '../config/monitoring-service.config';
import { ReferenceCache, SCORE_FEATURE, type ServingReference } from '../evaluation/reference-cache';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';

/**
 * Records every acted-on prediction of the watched models once, with its inputs and score counted
 * into the serving version's drift windows (one per window size) in the same transaction. Shadow
 * predictions are never acted on and are not monitored as live traffic. A batch is committed after
 * its rows are stored; a redelivered batch adds nothing.
 */
@Injectable()
export class PredictionConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('PredictionConsumer');
  private subscription?: Subscription;

  constructor(
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
    @Inject(MS_METRICS) private readonly metrics: MonitoringServiceMetrics,
    private readonly references: ReferenceCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.infra.bus.subscribe({
      groupId: `${this.config.consumerGroup}-predictions`,
      topics: this.config.models.map((m) => predictionsTopicOf(this.config, m)),
      fromBeginning: true,
      maxBatchSize: 2000,
      handler: (batch) => this.onBatch(batch),
      onBatch: (r) => this.metrics.consumerLag.set({ topic: r.topic, partition: String(r.partition) }, r.lag),
      onError: (err) =>
        this.log.error(`the predictions consumer stopped: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Tests: leave without committing the batch in hand, as a crash would. */
  kill(): Promise<void> | undefined {
    return this.subscription?.kill();
  }

  private async onBatch(batch: readonly BusMessage[]): Promise<void> {
    const predictions: PredictionMessage[] = [];
    for (const message of batch) {
      try {
        const p = decodePrediction(message.value, message.headers[CONTENT_TYPE_HEADER]);
        if (!p.shadow && this.config.models.includes(p.model)) predictions.push(p);
      } catch (err) {
        if (!(err instanceof ContractMessageError)) throw err;
        this.log.warn(`skipped a record that is not a prediction: ${err.message}`);
      }
    }
    if (predictions.length === 0) return;
    const refs = new Map<string, ServingReference | null>();
    try {
      for (const p of predictions) {
        const key = `${p.model}\u0000${p.modelVersion}`;
        if (!refs.has(key)) refs.set(key, await this.references.get(p.model, p.modelVersion));
      }
      const rows = predictions.map((p) => this.rowOf(p));
      const byPrediction = new Map(predictions.map((p) => [p.predictionId, p]));
      let recorded: readonly MonitoredPrediction[] = [];
      await this.infra.monitoring.recordPredictions(rows, (fresh) => {
        recorded = fresh;
        return this.driftDeltas(
          fresh.map((r) => byPrediction.get(r.predictionId)!),
          refs,
        );
      });
      // Counted once committed (a transaction retried would otherwise count its rows twice).
      for (const r of recorded) this.metrics.predictions.inc({ model: r.model, version: String(r.modelVersion) });
    } catch (err) {
      // The database or registry away: retried by the bus (with backoff), the batch is not committed.
      throw new ConnectionError(`recording predictions failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private rowOf(p: PredictionMessage): MonitoredPrediction {
    const spec: ModelSpec | undefined = (DEFAULT_MODELS as Record<string, ModelSpec>)[p.model];
    // Labels of kinds other than "an event within a horizon" do not mature here.
    const horizon = spec?.label.kind === 'eventWithin' ? spec.horizonMs : Number.MAX_SAFE_INTEGER / 4;
    return {
      predictionId: p.predictionId,
      model: p.model,
      modelVersion: p.modelVersion,
      entityId: p.entityId,
      ...(p.triggerEventId !== undefined ? { triggerEventId: p.triggerEventId } : {}),
      ...(p.contentId !== undefined ? { contentId: p.contentId } : {}),
      asOfMs: p.asOfMs,
      score: p.score,
      fallback: p.fallback,
      maturesAtMs: Math.min(p.asOfMs + horizon, Number.MAX_SAFE_INTEGER),
    };
  }

  /** The new predictions' inputs and scores counted into their version's windows, one delta per window and feature. */
  private driftDeltas(
    fresh: readonly PredictionMessage[],
    refs: ReadonlyMap<string, ServingReference | null>,
  ): DriftWindowDelta[] {
    type WindowAt = Pick<DriftWindowDelta, 'model' | 'modelVersion' | 'windowMs' | 'windowStartMs' | 'feature'>;
    const windows = new Map<string, { window: DriftWindow; at: WindowAt }>();
    const add = (p: PredictionMessage, ref: ServingReference, feature: string, value: number) => {
      const profile = ref.profiles.get(feature);
      if (!profile) return;
      for (const windowMs of this.config.windowsMs) {
        const start = windowStart(p.asOfMs, windowMs);
        const key = `${p.model}\u0000${p.modelVersion}\u0000${windowMs}\u0000${start}\u0000${feature}`;
        let entry = windows.get(key);
        if (!entry) {
          entry = {
            window: new DriftWindow(profile),
            at: { model: p.model, modelVersion: p.modelVersion, windowMs, windowStartMs: start, feature },
          };
          windows.set(key, entry);
        }
        entry.window.add(value);
      }
    };
    for (const p of fresh) {
      if (p.fallback) continue;
      const ref = refs.get(`${p.model}\u0000${p.modelVersion}`);
      if (!ref || ref.profiles.size === 0) continue;
      for (const input of p.inputs) add(p, ref, input.name, input.value);
      add(p, ref, SCORE_FEATURE, p.score);
    }
    return [...windows.values()].map(({ window, at }) => {
      const s = window.toState();
      return {
        ...at,
        profileKey: s.profileKey,
        counts: s.counts,
        total: s.total,
        missing: s.missing,
        underflowSum: s.underflowSum,
        overflowSum: s.overflowSum,
      };
    });
  }
}
