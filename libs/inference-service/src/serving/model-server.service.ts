import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BusMessage, Subscription } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  ContractMessageError,
  decodeModelLifecycle,
  encodeModelLifecycle,
  type ModelLifecycleMessage,
} from '@pulse/contracts';
import { loadServableModel, ModelRefusedError, ServingTable, type ServableModel } from '@pulse/inference';
import { compileModelSpec, DEFAULT_MODELS, type CompiledModelSpec } from '@pulse/models';
import type { InferenceServiceMetrics } from '../app/inference-service.metrics';
import { IS_CONFIG, IS_INFRASTRUCTURE, IS_METRICS } from '../app/tokens';
import type { InferenceServiceConfig } from '../config/inference-service.config';
import type { InferenceInfrastructure } from '../infrastructure/inference-infrastructure';

/** The aliases a copy serves for each model: the champion acts, the others are scored for comparison. */
export const SERVED_ALIASES = ['champion', 'challenger', 'shadow'] as const;
export type ServedAlias = (typeof SERVED_ALIASES)[number];

// The registry is read again this often besides on each alias move: a move published while this copy
// was away (or a lifecycle message lost) is caught up within this.
const RESYNC_MS = 30_000;

/**
 * Keeps the ServingTable in step with the registry's aliases: at start from the registry, then on each
 * alias move on models.lifecycle.v1 (every copy in a group of its own, so each sees every move). A
 * version is verified before it serves (loadServableModel); a refused one is announced
 * (version_refused) and logged naming the check, and the alias keeps its previous version.
 */
@Injectable()
export class ModelServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ModelServer');
  readonly table = new ServingTable();
  readonly compiled: ReadonlyMap<string, CompiledModelSpec>;
  private subscription?: Subscription;
  private resync?: NodeJS.Timeout;
  /** One load at a time per model and alias, in the order asked. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Versions refused, so a resync does not try (and announce) them again. */
  private readonly refused = new Set<string>();
  private stopped = false;
  private markReady!: () => void;
  /** Settles once the first sync with the registry is done (the trigger consumer waits for it). */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    @Inject(IS_CONFIG) private readonly config: InferenceServiceConfig,
    @Inject(IS_INFRASTRUCTURE) private readonly infra: InferenceInfrastructure,
    @Inject(IS_METRICS) private readonly metrics: InferenceServiceMetrics,
  ) {
    this.compiled = new Map(
      config.models.map((name) => [name, compileModelSpec(DEFAULT_MODELS[name], infra.featureRegistry)]),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    // Subscribed first, then caught up: a move made in between is both read and applied (idempotent).
    this.subscription = await this.infra.bus.subscribe({
      groupId: `${this.config.consumerGroup}-lifecycle-${randomUUID()}`,
      topics: [this.config.topics.lifecycle],
      fromBeginning: false,
      handler: (batch) => this.onLifecycle(batch),
      onError: (err) =>
        this.log.error(`the lifecycle consumer stopped: ${err instanceof Error ? err.message : String(err)}`),
    });
    await this.syncAll();
    this.markReady();
    this.resync = setInterval(() => void this.syncAll().catch(() => undefined), RESYNC_MS);
    this.resync.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.resync) clearInterval(this.resync);
    await this.subscription?.stop();
    await Promise.all([...this.queues.values()]);
    await this.table.close();
  }

  /** Loads what every served alias of every served model points at (nothing where it already serves it). */
  async syncAll(): Promise<void> {
    await Promise.all(
      [...this.compiled.keys()].flatMap((model) => SERVED_ALIASES.map((alias) => this.sync(model, alias))),
    );
  }

  /** Brings one alias in step with the registry (queued behind the alias's previous load). */
  sync(model: string, alias: string): Promise<void> {
    const key = `${model}/${alias}`;
    const next = (this.queues.get(key) ?? Promise.resolve()).then(() => this.syncNow(model, alias));
    const settled = next.catch((err) =>
      this.log.warn(`syncing ${key} with the registry failed (retried on the next move or resync): ${messageOf(err)}`),
    );
    this.queues.set(key, settled);
    return settled;
  }

  private async syncNow(model: string, alias: string): Promise<void> {
    if (this.stopped) return;
    const version = await this.infra.registry.resolveAlias(model, alias);
    const serving = this.table.get(model, alias);
    if (version === null) {
      if (serving) {
        this.table.remove(model, alias);
        this.metrics.servingVersion.remove({ model, alias });
        this.log.log(`${model} ${alias} removed (was version ${serving.version})`);
      }
      return;
    }
    if (serving?.version === version || this.refused.has(`${model}/${version}`)) return;
    const shared = this.sharedVersion(model, version);
    const servable = shared ?? (await this.load(model, alias, version));
    if (servable === undefined || this.stopped) return;
    this.table.swap(model, alias, servable);
    this.metrics.servingVersion.set({ model, alias }, version);
    this.log.log(`${model} ${alias} serves version ${version}${serving ? ` (was ${serving.version})` : ''}`);
  }

  /** A version another alias of the model serves already (one session for both). */
  private sharedVersion(model: string, version: number): ServableModel | undefined {
    for (const servable of this.table.aliases(model).values()) if (servable.version === version) return servable;
    return undefined;
  }

  private async load(model: string, alias: string, version: number): Promise<ServableModel | undefined> {
    const record = await this.infra.registry.getVersion(model, version, { withArtifacts: true });
    try {
      const servable = await loadServableModel(
        {
          model,
          version,
          task: record.task,
          signature: record.signature,
          testSample: record.testSample,
          onnx: record.artifacts!.onnx,
          onnxSha256: record.onnxSha256,
          modelJson: record.artifacts!.modelJson,
          modelJsonSha256: record.modelJsonSha256,
        },
        {
          featureNames: this.compiled.get(model)!.featureNames,
          // One row at a time is the common call: ORT's per-core worker threads spin waiting for work and
          // took about a core at 500 requests/s (measured in bench:inference), for nothing.
          sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 },
        },
      );
      this.metrics.modelLoads.inc({ model, alias, outcome: 'loaded', check: 'none' });
      return servable;
    } catch (err) {
      if (!(err instanceof ModelRefusedError)) throw err;
      this.refused.add(`${model}/${version}`);
      this.metrics.modelLoads.inc({ model, alias, outcome: 'refused', check: err.check });
      const keeps = this.table.get(model, alias);
      this.log.warn(
        `refused ${model} version ${version} for ${alias}: check ${err.check} failed: ${err.message}; ${keeps ? `version ${keeps.version} keeps serving` : 'the fallback answers'}`,
      );
      await this.announceRefusal(model, alias, version, err).catch((e) =>
        this.log.warn(`announcing the refusal of ${model} version ${version} failed: ${messageOf(e)}`),
      );
      return undefined;
    }
  }

  private async announceRefusal(model: string, alias: string, version: number, err: ModelRefusedError): Promise<void> {
    const event: ModelLifecycleMessage = {
      eventId: randomUUID(),
      model,
      type: 'version_refused',
      version,
      occurredAtMs: Date.now(),
      metrics: {},
      featureNames: [],
      featureViewVersions: {},
      message: `check ${err.check} failed: ${err.message}`,
      alias,
      actor: 'inference-service',
    };
    const encoded = encodeModelLifecycle(event, 'json');
    await this.infra.publisher.publish(this.config.topics.lifecycle, [
      { key: model, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } },
    ]);
  }

  private async onLifecycle(batch: readonly BusMessage[]): Promise<void> {
    const moves = new Set<string>();
    for (const message of batch) {
      let event: ModelLifecycleMessage;
      try {
        event = decodeModelLifecycle(message.value, message.headers[CONTENT_TYPE_HEADER]);
      } catch (err) {
        if (err instanceof ContractMessageError) continue;
        throw err;
      }
      if (event.type !== 'alias_moved' || !this.compiled.has(event.model) || event.alias === undefined) continue;
      if (!(SERVED_ALIASES as readonly string[]).includes(event.alias)) continue;
      moves.add(`${event.model}\u0000${event.alias}`);
    }
    await Promise.all(
      [...moves].map((k) => {
        const [model, alias] = k.split('\u0000');
        return this.sync(model, alias);
      }),
    );
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
