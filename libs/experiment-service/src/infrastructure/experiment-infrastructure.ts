import type { MessageBus, Publisher } from '@pulse/bus';
import { closeAll, startSharedInfrastructure, type EmbeddedParts, type SharedInfrastructure } from '@pulse/nest-common';
import { ExperimentRepository } from '@pulse/storage';
import type { DataSource } from 'typeorm';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';

/** The service's view of its connections: the shared ones, and the experiments' store. */
export interface ExperimentInfrastructure {
  readonly bus: MessageBus;
  readonly publisher: Publisher;
  readonly dataSource: DataSource;
  readonly experiments: ExperimentRepository;
  readonly embedded: EmbeddedParts;
  close(): Promise<void>;
}

export async function startExperimentInfrastructure(
  config: ExperimentServiceConfig,
  shared?: SharedInfrastructure,
): Promise<ExperimentInfrastructure> {
  const connections = shared ?? (await startSharedInfrastructure(config));
  const closers: (() => Promise<void>)[] = shared ? [] : [() => connections.close()];
  const dataSource = connections.storage.dataSource;
  return {
    bus: connections.bus,
    publisher: connections.bus.createPublisher(),
    dataSource,
    experiments: new ExperimentRepository(dataSource),
    embedded: connections.embedded,
    close: () => closeAll(closers),
  };
}
