import { Logger } from '@nestjs/common';
import type { MessageBus, Publisher } from '@pulse/bus';
import { closeAll, startSharedInfrastructure, type EmbeddedParts, type SharedInfrastructure } from '@pulse/nest-common';
import { DeadLetterOutbox, ModelRegistryRepository } from '@pulse/storage';
import type { DataSource } from 'typeorm';
import type { TrainingServiceConfig } from '../config/training-service.config';

/** The service's view of its connections: the shared ones, plus what it owns. */
export interface TrainingInfrastructure {
  readonly bus: MessageBus;
  readonly publisher: Publisher;
  readonly dataSource: DataSource;
  readonly registry: ModelRegistryRepository;
  /** Refused training requests: written once per source record, published to the DLQ topic by its relay. */
  readonly deadLetters: DeadLetterOutbox;
  /** The database URL a worker thread connects to; undefined for the embedded database (see DbBridgeHost). */
  readonly workerDatabaseUrl?: string;
  readonly embedded: EmbeddedParts;
  close(): Promise<void>;
}

export async function startTrainingInfrastructure(
  config: TrainingServiceConfig,
  shared?: SharedInfrastructure,
): Promise<TrainingInfrastructure> {
  const connections = shared ?? (await startSharedInfrastructure(config));
  // Closed in reverse: the relay stops before the connections it uses (when they are this service's own).
  const closers: (() => Promise<void>)[] = shared ? [] : [() => connections.close()];
  try {
    const dataSource = connections.storage.dataSource;
    const log = new Logger('TrainingDeadLetters');
    const deadLetters = new DeadLetterOutbox(dataSource, connections.bus, {
      topic: config.topics.dlq,
      leaseMs: config.dlqRelayLeaseMs,
      onError: (error) =>
        log.warn(`publishing dead letters failed, retrying: ${error instanceof Error ? error.message : String(error)}`),
    });
    deadLetters.start();
    closers.push(() => deadLetters.stop());
    return {
      bus: connections.bus,
      publisher: connections.bus.createPublisher(),
      dataSource,
      registry: new ModelRegistryRepository(dataSource),
      deadLetters,
      workerDatabaseUrl: connections.embedded.database ? undefined : config.infra.databaseUrl,
      embedded: connections.embedded,
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}
