import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OutgoingMessage } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  encodePrediction,
  predictionId,
  type EngagementEvent,
  type PredictionMessage,
} from '@pulse/contracts';
import {
  buildModelInput,
  fallbackFor,
  fallbackPrediction,
  priorFallback,
  scorePrediction,
  scorePredictions,
  type FallbackRule,
  type ModelInput,
  type ScoredPrediction,
} from '@pulse/inference';
import type { CompiledModelSpec, TriggerContext } from '@pulse/models';
import type { InferenceServiceMetrics } from '../app/inference-service.metrics';
import { IS_CONFIG, IS_INFRASTRUCTURE, IS_METRICS } from '../app/tokens';
import { predictionsTopic, type InferenceServiceConfig } from '../config/inference-service.config';
import type { InferenceInfrastructure } from '../infrastructure/inference-infrastructure';
import { readSnapshot, readSnapshotForTrigger, triggerContext, type FeatureSnapshot } from './feature-snapshot';
import { ModelServer } from './model-server.service';

/** The acted-on prediction comes from the champion; the other served aliases are scored beside it. */
const PRIMARY = 'champion';
const SIDE_ALIASES = ['challenger', 'shadow'] as const;

export type PredictPath = 'kafka' | 'http' | 'batch';

/** A prediction ready to publish. */
export interface PublishablePrediction {
  readonly model: string;
  readonly prediction: PredictionMessage;
  readonly message: OutgoingMessage;
}

/** What a request asks: the entity, the trigger's fields, the time (absent: now). */
export interface PredictionRequest {
  readonly entityId: string;
  readonly context: Parameters<typeof triggerContext>[1];
  readonly atMs?: number;
}

export class UnknownModelError extends Error {
  constructor(
    readonly model: string,
    served: readonly string[],
  ) {
    super(`no model named "${model}" is served here (served: ${served.join(', ')})`);
    this.name = 'UnknownModelError';
  }
}

/**
 * Predictions, one code path for the three ways in (a trigger event, an HTTP request, a batch): the
 * entity's features as of the time (FeatureReader), the spec's vector function, the champion's score
 * — or the model's rule when no version serves or scoring fails — and the challenger's and shadow's
 * scores beside it, flagged shadow (never acted on).
 */
@Injectable()
export class Predictor {
  private readonly log = new Logger('Predictor');
  private readonly fallbacks = new Map<string, FallbackRule>();
  private readonly triggers = new Map<string, string[]>();

  constructor(
    private readonly models: ModelServer,
    @Inject(IS_CONFIG) private readonly config: InferenceServiceConfig,
    @Inject(IS_INFRASTRUCTURE) private readonly infra: InferenceInfrastructure,
    @Inject(IS_METRICS) private readonly metrics: InferenceServiceMetrics,
  ) {
    for (const [name, compiled] of models.compiled) {
      this.fallbacks.set(name, fallbackFor(name) ?? priorFallback(compiled.spec));
      const trigger = compiled.spec.trigger;
      if (trigger.kind === 'event')
        this.triggers.set(trigger.eventType, [...(this.triggers.get(trigger.eventType) ?? []), name]);
    }
  }

  /** Served models predicted on trigger events (a daily-triggered model is asked over HTTP or in batch). */
  triggeredModels(): string[] {
    return [...this.triggers.values()].flat();
  }

  isTrigger(event: EngagementEvent): boolean {
    return this.triggers.has(event.eventType);
  }

  modelsTriggeredBy(event: EngagementEvent): readonly string[] {
    return this.triggers.get(event.eventType) ?? [];
  }

  topicOf(model: string): string {
    return predictionsTopic(this.config, model);
  }

  compiledOf(model: string): CompiledModelSpec {
    const compiled = this.models.compiled.get(model);
    if (compiled === undefined) throw new UnknownModelError(model, [...this.models.compiled.keys()]);
    return compiled;
  }

  /** Every served model's predictions for one trigger event, as of its time; ids from model, event id and alias. */
  async predictTrigger(
    event: EngagementEvent,
    receivedMs: number,
    signal?: AbortSignal,
  ): Promise<PublishablePrediction[]> {
    const out: PublishablePrediction[] = [];
    for (const model of this.modelsTriggeredBy(event)) {
      const compiled = this.compiledOf(model);
      const snapshot = await readSnapshotForTrigger(this.infra.features, compiled, event.entityId, event.eventTimeMs, {
        maxWaitMs: this.config.featureWaitMs,
        ...(signal ? { signal } : {}),
      });
      this.metrics.featureWait.observe({ model }, snapshot.waitedMs / 1000);
      if (!snapshot.caughtUp) this.metrics.featureWaitTimeouts.inc({ model });
      this.metrics.triggers.inc({ model });
      const ctx: TriggerContext = {
        eventTimeMs: event.eventTimeMs,
        channel: event.channel,
        ...(event.contentId !== undefined ? { contentId: event.contentId } : {}),
        attributes: event.attributes,
      };
      const predictions = await this.score(model, compiled, snapshot, ctx, 'kafka', receivedMs, {
        entityId: event.entityId,
        triggerEventId: event.eventId,
        ...(event.contentId !== undefined ? { contentId: event.contentId } : {}),
      });
      for (const prediction of predictions) out.push({ model, prediction, message: this.messageOf(prediction) });
    }
    return out;
  }

  /** One entity's acted-on prediction as of `atMs` (default now), from the features online. */
  async predict(
    model: string,
    request: PredictionRequest,
    receivedMs = performance.now(),
    explain?: number,
  ): Promise<PredictionMessage> {
    const compiled = this.compiledOf(model);
    const atMs = request.atMs ?? Date.now();
    const snapshot = await readSnapshot(this.infra.features, compiled, request.entityId, atMs);
    const [primary] = await this.score(
      model,
      compiled,
      snapshot,
      triggerContext(atMs, request.context),
      'http',
      receivedMs,
      {
        entityId: request.entityId,
        ...(request.context.contentId !== undefined ? { contentId: request.context.contentId } : {}),
        primaryOnly: true,
        ...(explain !== undefined ? { explain } : {}),
      },
    );
    return primary;
  }

  /** Many entities' acted-on predictions, scored with one onnxruntime call; in request order. */
  async predictBatch(model: string, requests: readonly PredictionRequest[]): Promise<PredictionMessage[]> {
    const receivedMs = performance.now();
    const compiled = this.compiledOf(model);
    const nowMs = Date.now();
    const snapshots = await mapLimit(requests, this.config.concurrency, (r) =>
      readSnapshot(this.infra.features, compiled, r.entityId, r.atMs ?? nowMs),
    );
    const contexts = requests.map((r) => triggerContext(r.atMs ?? nowMs, r.context));
    const inputs = snapshots.map((s, i) => buildModelInput(compiled, s.values, contexts[i]));
    const lease = this.models.table.acquire(model, PRIMARY);
    let scored: ScoredPrediction[];
    try {
      scored = lease
        ? await scorePredictions(compiled, lease.servable, inputs, {
            alias: PRIMARY,
            topFactors: this.config.topFactors[model] ?? 0,
          })
        : this.fallbackAll(model, snapshots, contexts, 'no champion');
    } catch (err) {
      this.log.warn(`${model} batch scoring failed, the fallback answers: ${(err as Error).message}`);
      scored = this.fallbackAll(model, snapshots, contexts, `model failed: ${(err as Error).message}`);
    } finally {
      lease?.release();
    }
    const latencyMs = performance.now() - receivedMs;
    return scored.map((s, i) => {
      const r = requests[i];
      this.count(model, s, 'batch', latencyMs, true);
      return this.assemble(model, s, {
        entityId: r.entityId,
        ...(r.context.contentId !== undefined ? { contentId: r.context.contentId } : {}),
        asOfMs: r.atMs ?? nowMs,
        shadow: false,
        latencyMs,
      });
    });
  }

  private fallbackAll(
    model: string,
    snapshots: readonly FeatureSnapshot[],
    contexts: readonly TriggerContext[],
    reason: string,
  ): ScoredPrediction[] {
    const rule = this.fallbacks.get(model)!;
    return snapshots.map((s, i) => fallbackPrediction(rule, s.values, contexts[i], { reason }));
  }

  private async score(
    model: string,
    compiled: CompiledModelSpec,
    snapshot: FeatureSnapshot,
    ctx: TriggerContext,
    path: PredictPath,
    receivedMs: number,
    who: { entityId: string; triggerEventId?: string; contentId?: string; primaryOnly?: boolean; explain?: number },
  ): Promise<PredictionMessage[]> {
    const input: ModelInput = buildModelInput(compiled, snapshot.values, ctx);
    const results: PredictionMessage[] = [];
    const aliases = who.primaryOnly ? [PRIMARY] : [PRIMARY, ...SIDE_ALIASES];
    for (const alias of aliases) {
      const lease = this.models.table.acquire(model, alias);
      let scored: ScoredPrediction | undefined;
      try {
        if (lease)
          scored = await scorePrediction(compiled, lease.servable, input, {
            alias,
            topFactors: who.explain ?? this.config.topFactors[model] ?? 0,
          });
      } catch (err) {
        this.log.warn(
          `${model} ${alias} version ${lease?.servable.version} failed to score: ${(err as Error).message}`,
        );
        if (alias === PRIMARY)
          scored = fallbackPrediction(this.fallbacks.get(model)!, snapshot.values, ctx, {
            reason: `model failed: ${(err as Error).message}`,
          });
      } finally {
        lease?.release();
      }
      if (scored === undefined && alias === PRIMARY)
        scored = fallbackPrediction(this.fallbacks.get(model)!, snapshot.values, ctx, { reason: 'no champion' });
      if (scored === undefined) continue;
      const latencyMs = performance.now() - receivedMs;
      const primary = alias === PRIMARY;
      this.count(model, scored, path, latencyMs, primary);
      results.push(
        this.assemble(model, scored, {
          // The acted-on prediction keeps the champion's id whoever answered: a redelivered trigger
          // scored once the champion loads must not look like a second prediction.
          predictionId:
            who.triggerEventId !== undefined ? predictionId(model, who.triggerEventId, alias) : randomUUID(),
          entityId: who.entityId,
          ...(who.triggerEventId !== undefined ? { triggerEventId: who.triggerEventId } : {}),
          ...(who.contentId !== undefined ? { contentId: who.contentId } : {}),
          asOfMs: ctx.eventTimeMs,
          shadow: !primary,
          variant: alias,
          latencyMs,
        }),
      );
    }
    return results;
  }

  private assemble(
    model: string,
    s: ScoredPrediction,
    at: {
      predictionId?: string;
      entityId: string;
      triggerEventId?: string;
      contentId?: string;
      asOfMs: number;
      shadow: boolean;
      variant?: string;
      latencyMs: number;
    },
  ): PredictionMessage {
    return {
      predictionId: at.predictionId ?? randomUUID(),
      model,
      modelVersion: s.modelVersion,
      alias: s.alias,
      variant: at.variant ?? PRIMARY,
      shadow: at.shadow,
      entityId: at.entityId,
      ...(at.triggerEventId !== undefined ? { triggerEventId: at.triggerEventId } : {}),
      ...(at.contentId !== undefined ? { contentId: at.contentId } : {}),
      asOfMs: at.asOfMs,
      predictedAtMs: Date.now(),
      score: s.score,
      ...(s.label !== undefined ? { label: s.label } : {}),
      classProbabilities: s.classProbabilities,
      riskTier: s.riskTier,
      riskConfidence: s.riskConfidence,
      topFactors: s.topFactors,
      inputs: s.inputs,
      fallback: s.fallback,
      ...(s.fallbackReason !== undefined ? { fallbackReason: s.fallbackReason } : {}),
      latencyMs: at.latencyMs,
    };
  }

  private count(model: string, s: ScoredPrediction, path: PredictPath, latencyMs: number, primary: boolean): void {
    this.metrics.predictions.inc({ model, alias: s.alias, path, fallback: String(s.fallback) });
    if (!primary) return;
    this.metrics.latency.observe({ model, path }, latencyMs / 1000);
    this.metrics.scores.observe({ model }, s.score);
    if (s.fallback) this.metrics.fallbacks.inc({ model, reason: (s.fallbackReason ?? 'unknown').replace(/:.*$/, '') });
  }

  private messageOf(p: PredictionMessage): OutgoingMessage {
    const encoded = encodePrediction(p, this.config.predictionsFormat);
    return { key: p.entityId, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
