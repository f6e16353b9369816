import type { MessageBus, Publisher } from '@pulse/bus';
import { closeAll, startSharedInfrastructure, type EmbeddedParts, type SharedInfrastructure } from '@pulse/nest-common';
import { ModelRegistryRepository, MonitoringRepository } from '@pulse/storage';
import type { DataSource } from 'typeorm';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';

/** The service's view of its connections: the shared ones, the registry and monitoring's own state. */
export interface MonitoringInfrastructure {
  readonly bus: MessageBus;
  readonly publisher: Publisher;
  readonly dataSource: DataSource;
  readonly registry: ModelRegistryRepository;
  readonly monitoring: MonitoringRepository;
  readonly embedded: EmbeddedParts;
  close(): Promise<void>;
}

export async function startMonitoringInfrastructure(
  config: MonitoringServiceConfig,
  shared?: SharedInfrastructure,
): Promise<MonitoringInfrastructure> {
  const connections = shared ?? (await startSharedInfrastructure(config));
  const closers: (() => Promise<void>)[] = shared ? [] : [() => connections.close()];
  const dataSource = connections.storage.dataSource;
  return {
    bus: connections.bus,
    publisher: connections.bus.createPublisher(),
    dataSource,
    registry: new ModelRegistryRepository(dataSource),
    monitoring: new MonitoringRepository(dataSource),
    embedded: connections.embedded,
    close: () => closeAll(closers),
  };
}
