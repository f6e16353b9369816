import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONTENT_TYPE_HEADER, encodeExperimentChange } from '@pulse/contracts';
import { WakeableLoop } from '@pulse/core';
import type { PendingExperimentChange } from '@pulse/storage';
import type { ExperimentServiceMetrics } from '../app/experiment-service.metrics';
import { XS_CONFIG, XS_INFRASTRUCTURE, XS_METRICS } from '../app/tokens';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';

/**
 * Publishes the change outbox (written in the same transaction as each change) to
 * experiments.changes.v1, keyed by experiment, then marks it published: at least once, in order.
 * Consumers keep the highest version per key, so a change published twice changes nothing.
 */
@Injectable()
export class ChangeRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ChangeRelay');
  private readonly loop: WakeableLoop;
  private readonly listeners: ((changes: readonly PendingExperimentChange[]) => void)[] = [];

  constructor(
    @Inject(XS_INFRASTRUCTURE) private readonly infra: ExperimentInfrastructure,
    @Inject(XS_CONFIG) private readonly config: ExperimentServiceConfig,
    @Inject(XS_METRICS) private readonly metrics: ExperimentServiceMetrics,
  ) {
    this.loop = new WakeableLoop(() => this.drain(), config.relayPollMs);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Told of every change this copy publishes (the assignments' directory stays current without a round trip). */
  onPublished(listener: (changes: readonly PendingExperimentChange[]) => void): void {
    this.listeners.push(listener);
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const pending = await this.infra.experiments.pendingChanges(100);
        if (pending.length === 0) return;
        await this.infra.publisher.publish(
          this.config.topics.changes,
          pending.map((p) => {
            const encoded = encodeExperimentChange({
              key: p.key,
              version: p.version,
              changedAtMs: Date.parse(p.changedAt),
              actor: p.actor,
              definition: p.definition,
            });
            return { key: p.key, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
          }),
        );
        await this.infra.experiments.markChangesPublished(pending.map((p) => p.id));
        this.metrics.changesPublished.inc(pending.length);
        for (const listener of this.listeners) listener(pending);
        if (this.loop.isStopped) return;
      }
    } catch (err) {
      this.log.warn(
        `publishing experiment changes failed; retrying: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
