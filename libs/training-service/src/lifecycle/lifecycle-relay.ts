import type { Publisher } from '@pulse/bus';
import type { ModelLifecycleMessage } from '@pulse/contracts';
import type { ModelRegistryRepository, PendingLifecycleEvent } from '@pulse/storage';
import { WakeableLoop } from '@pulse/core';
import { lifecycleMessageOf, lifecycleRecord } from './lifecycle-messages';

export interface LifecycleRelayOptions {
  readonly registry: ModelRegistryRepository;
  readonly publisher: Publisher;
  readonly topic: string;
  /** Polls the outbox this often besides on wake(). */
  readonly pollMs: number;
  /** Events per publish. Default 100. */
  readonly batchSize?: number;
  readonly onError?: (message: string, error: unknown) => void;
}

/**
 * Publishes the registry's lifecycle outbox (registrations and alias moves, written in the same
 * transaction as what they announce) to models.lifecycle.v1, then marks them published: at least once,
 * in outbox order. Copies running side by side may both publish an event before either marks it;
 * consumers deduplicate on the event id. Job events (training_started / _failed) are sent directly.
 */
export class LifecycleRelay {
  private readonly loop: WakeableLoop;

  constructor(private readonly options: LifecycleRelayOptions) {
    this.loop = new WakeableLoop(() => this.drain(), options.pollMs);
  }

  start(): void {
    this.loop.start();
  }

  /** Publishes what is pending now (after a registration or an alias move). */
  wake(): void {
    this.loop.wake();
  }

  /** Stops polling; the publish under way finishes. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** A message that is not in the outbox, sent now; a failure is reported, not thrown. */
  async publishDirect(message: ModelLifecycleMessage): Promise<void> {
    try {
      await this.options.publisher.publish(this.options.topic, [lifecycleRecord(message)]);
    } catch (err) {
      this.options.onError?.(`publishing ${message.type} of ${message.model} failed`, err);
    }
  }

  private async drain(): Promise<void> {
    const { registry, publisher, topic } = this.options;
    try {
      for (;;) {
        const pending = await registry.pendingLifecycleEvents(this.options.batchSize ?? 100);
        if (pending.length === 0) return;
        const messages = await Promise.all(pending.map((p) => this.messageOf(p)));
        await publisher.publish(topic, messages.map(lifecycleRecord));
        await registry.markLifecycleEventsPublished(pending.map((p) => p.id));
        if (this.loop.isStopped) return;
      }
    } catch (err) {
      this.options.onError?.('publishing the model lifecycle outbox failed; retrying', err);
    }
  }

  private async messageOf(pending: PendingLifecycleEvent): Promise<ModelLifecycleMessage> {
    const event = pending.payload;
    if (event.type !== 'registered') return lifecycleMessageOf(event);
    // Registrations are rare: one look at the version's lineage each.
    const version = await this.options.registry.getVersion(event.model, event.version);
    return lifecycleMessageOf(event, (version.lineage.viewVersions ?? {}) as Record<string, number>);
  }
}
