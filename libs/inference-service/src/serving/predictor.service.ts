import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OutgoingMessage } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  encodeExperimentExposure,
  encodePrediction,
  exposureId,
  predictionId,
  type EngagementEvent,
  type PredictionMessage,
} from '@pulse/contracts';
import type { ModelRouting } from '@pulse/experiments';
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
import { ExperimentRoutes } from './experiment-routes.service';
import { ModelServer } from './model-server.service';

/** The acted-on prediction comes from the champion (unless an experiment routes elsewhere); the other served aliases are scored beside it. */
const PRIMARY = 'champion';
const SERVED_ALIASES = ['champion', 'challenger', 'shadow'] as const;
// The id name of the champion's score when an experiment acts on something else: the acted-on
// prediction keeps the champion's id, so one trigger has one acted-on id whatever routes it.
const UNACTED_CHAMPION = 'champion.unacted';

export type PredictPath = 'kafka' | 'http' | 'batch';

/** A record to publish for a trigger: a prediction, or the exposure of an experiment that routed it. */
export interface PublishableRecord {
  readonly topic: string;
  readonly message: OutgoingMessage;
  readonly prediction?: PredictionMessage;
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
    private readonly routes: ExperimentRoutes,
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
  async predictTrigger(event: EngagementEvent, receivedMs: number, signal?: AbortSignal): Promise<PublishableRecord[]> {
    const out: PublishableRecord[] = [];
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
      const routing = this.routes.route(model, event.entityId, { channel: event.channel }, event.eventTimeMs);
      const predictions = await this.score(model, compiled, snapshot, ctx, 'kafka', receivedMs, {
        entityId: event.entityId,
        triggerEventId: event.eventId,
        ...(event.contentId !== undefined ? { contentId: event.contentId } : {}),
        ...(routing ? { routing } : {}),
      });
      const topic = this.topicOf(model);
      for (const prediction of predictions) out.push({ topic, prediction, message: this.messageOf(prediction) });
      const acted = predictions.find((p) => !p.shadow);
      if (routing && acted)
        out.push(
          this.exposureOf(routing, acted, {
            timeMs: event.eventTimeMs,
            eventId: event.eventId,
            channel: event.channel,
            source: 'inference-service',
          }),
        );
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
    const channel = request.context.channel;
    const routing = this.routes.route(model, request.entityId, channel ? { channel } : {}, atMs);
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
        ...(routing ? { routing } : {}),
      },
    );
    // A routed HTTP prediction is an exposure too (published before the answer goes out).
    if (routing) {
      const record = this.exposureOf(routing, primary, {
        timeMs: atMs,
        ...(channel ? { channel } : {}),
        source: 'inference-service-http',
      });
      await this.infra.publisher.publish(record.topic, [record.message]);
    }
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

  /**
   * The acted-on prediction — the champion's, or what a model experiment's variation names (the
   * challenger, or the rule) — then, unless `primaryOnly`, every other served alias's score beside it
   * (shadow: true, never acted on). A missing or failing version acts through the rule.
   */
  private async score(
    model: string,
    compiled: CompiledModelSpec,
    snapshot: FeatureSnapshot,
    ctx: TriggerContext,
    path: PredictPath,
    receivedMs: number,
    who: {
      entityId: string;
      triggerEventId?: string;
      contentId?: string;
      primaryOnly?: boolean;
      explain?: number;
      routing?: ModelRouting;
    },
  ): Promise<PredictionMessage[]> {
    const input: ModelInput = buildModelInput(compiled, snapshot.values, ctx);
    const topFactors = who.explain ?? this.config.topFactors[model] ?? 0;
    const route = who.routing?.route ?? PRIMARY;
    const results: PredictionMessage[] = [];
    const publish = (scored: ScoredPrediction, acted: boolean, idName: string, variant: string) => {
      const latencyMs = performance.now() - receivedMs;
      this.count(model, scored, path, latencyMs, acted);
      results.push(
        this.assemble(model, scored, {
          predictionId:
            who.triggerEventId !== undefined ? predictionId(model, who.triggerEventId, idName) : randomUUID(),
          entityId: who.entityId,
          ...(who.triggerEventId !== undefined ? { triggerEventId: who.triggerEventId } : {}),
          ...(who.contentId !== undefined ? { contentId: who.contentId } : {}),
          asOfMs: ctx.eventTimeMs,
          shadow: !acted,
          variant,
          ...(acted && who.routing ? { experimentKey: who.routing.experiment.key } : {}),
          latencyMs,
        }),
      );
    };

    // The acted-on prediction keeps the champion's id whoever answered: a redelivered trigger scored
    // once the champion loads (or routed by an experiment) must not look like a second prediction.
    const actedVariant = who.routing?.assignment.key ?? PRIMARY;
    if (route === 'rule') {
      const reason = `experiment ${who.routing!.experiment.key} routes to the rule`;
      publish(
        fallbackPrediction(this.fallbacks.get(model)!, snapshot.values, ctx, { reason }),
        true,
        PRIMARY,
        actedVariant,
      );
    } else {
      const rule = (reason: string) => fallbackPrediction(this.fallbacks.get(model)!, snapshot.values, ctx, { reason });
      const scored = await this.scoreAlias(model, compiled, route, input, topFactors, rule);
      publish(scored ?? rule(`no ${route}`), true, PRIMARY, actedVariant);
    }
    if (who.primaryOnly) return results;
    for (const alias of SERVED_ALIASES) {
      if (alias === route) continue;
      const scored = await this.scoreAlias(model, compiled, alias, input, topFactors);
      if (scored) publish(scored, false, alias === PRIMARY ? UNACTED_CHAMPION : alias, alias);
    }
    return results;
  }

  /** The alias's score; undefined when nothing serves it; a failure is `onFailure`'s answer (the rule, when acted on). */
  private async scoreAlias(
    model: string,
    compiled: CompiledModelSpec,
    alias: string,
    input: ModelInput,
    topFactors: number,
    onFailure?: (reason: string) => ScoredPrediction,
  ): Promise<ScoredPrediction | undefined> {
    const lease = this.models.table.acquire(model, alias);
    if (!lease) return undefined;
    try {
      return await scorePrediction(compiled, lease.servable, input, { alias, topFactors });
    } catch (err) {
      this.log.warn(`${model} ${alias} version ${lease.servable.version} failed to score: ${(err as Error).message}`);
      return onFailure?.(`model failed: ${(err as Error).message}`);
    } finally {
      lease.release();
    }
  }

  /** The exposure a routed trigger makes: one id per unit and experiment, at the trigger's event time. */
  private exposureOf(
    routing: ModelRouting,
    acted: PredictionMessage,
    at: { timeMs: number; eventId?: string; channel?: string; source: string },
  ): PublishableRecord {
    const unit = String(routing.assignment.hashValue);
    const encoded = encodeExperimentExposure({
      exposureId: exposureId(routing.experiment.key, unit),
      experimentKey: routing.experiment.key,
      variant: routing.assignment.key,
      unitId: unit,
      exposedAtMs: at.timeMs,
      ...(at.eventId !== undefined ? { triggerEventId: at.eventId } : {}),
      predictionId: acted.predictionId,
      model: acted.model,
      ...(acted.modelVersion > 0 ? { modelVersion: acted.modelVersion } : {}),
      context: {
        source: at.source,
        route: routing.route,
        ...(at.channel !== undefined ? { channel: at.channel } : {}),
      },
    });
    return {
      topic: this.config.topics.exposures,
      message: { key: unit, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } },
    };
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
      experimentKey?: string;
      latencyMs: number;
    },
  ): PredictionMessage {
    return {
      predictionId: at.predictionId ?? randomUUID(),
      model,
      modelVersion: s.modelVersion,
      alias: s.alias,
      variant: at.variant ?? PRIMARY,
      ...(at.experimentKey !== undefined ? { experimentKey: at.experimentKey } : {}),
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
