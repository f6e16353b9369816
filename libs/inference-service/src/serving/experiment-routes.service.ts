import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BusMessage, Subscription } from '@pulse/bus';
import { ContractMessageError, decodeExperimentChange } from '@pulse/contracts';
import { ExperimentDirectory, type ModelRouting } from '@pulse/experiments';
import { IS_CONFIG, IS_INFRASTRUCTURE } from '../app/tokens';
import type { InferenceServiceConfig } from '../config/inference-service.config';
import type { InferenceInfrastructure } from '../infrastructure/inference-infrastructure';

/**
 * The running model experiments, kept from experiments.changes.v1 (read from its beginning by every
 * copy, newest version per key), so each trigger is routed locally: no call to experiment-service.
 */
@Injectable()
export class ExperimentRoutes implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ExperimentRoutes');
  private readonly directory = new ExperimentDirectory((key, version, err) =>
    this.log.warn(`experiment ${key} v${version} is not routed: ${err instanceof Error ? err.message : String(err)}`),
  );
  private subscription?: Subscription;

  constructor(
    @Inject(IS_CONFIG) private readonly config: InferenceServiceConfig,
    @Inject(IS_INFRASTRUCTURE) private readonly infra: InferenceInfrastructure,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.infra.bus.subscribe({
      groupId: `${this.config.consumerGroup}-experiments-${randomUUID()}`,
      topics: [this.config.topics.experimentChanges],
      fromBeginning: true,
      handler: async (batch) => this.apply(batch),
      onError: (err) =>
        this.log.error(`the experiment changes consumer stopped: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /** The running model experiment that routes this unit's trigger of `model`, if any. */
  route(model: string, unit: string, attributes: Record<string, string>, atMs: number): ModelRouting | null {
    return this.directory.routeModel(model, { id: unit, ...attributes }, atMs);
  }

  private apply(batch: readonly BusMessage[]): void {
    for (const message of batch) {
      try {
        this.directory.apply(decodeExperimentChange(message.value));
      } catch (err) {
        if (!(err instanceof ContractMessageError)) throw err;
        this.log.warn(`skipped an experiment change that is not one: ${err.message}`);
      }
    }
  }
}
