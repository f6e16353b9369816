import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Publisher } from '@pulse/bus';
import { FS_CONFIG, PUBLISHER } from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { startSimulatorFeed, type SimulatorFeed } from './simulator-feed';

/** The simulator feed of a feature service running alone in embedded mode (SIMULATOR). */
@Injectable()
export class SimulatorFeeder implements OnApplicationBootstrap, OnModuleDestroy {
  private feed?: SimulatorFeed;

  constructor(
    @Inject(FS_CONFIG) private readonly config: FeatureServiceConfig,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.simulator.enabled) return;
    const topic = this.config.topics.events;
    this.feed = startSimulatorFeed(this.publisher, topic, this.config.simulator, new Logger('SimulatorFeeder'));
  }

  // Stops first (module destroy precedes the transport and connection shutdown), so nothing publishes into a closing bus.
  async onModuleDestroy(): Promise<void> {
    await this.feed?.stop();
  }
}
