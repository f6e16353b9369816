import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Publisher } from '@pulse/bus';
import { createSimulation, publishStream, PublisherSink } from '@pulse/simulator';
import { FS_CONFIG, PUBLISHER } from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';

/**
 * Embedded mode's producer: simulated learners publish to the engagement topic at a wall-clock rate,
 * so a newcomer sees events counted and features served without any producer of their own.
 */
@Injectable()
export class SimulatorFeeder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SimulatorFeeder');
  private readonly abort = new AbortController();
  private running?: Promise<void>;

  constructor(
    @Inject(FS_CONFIG) private readonly config: FeatureServiceConfig,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
  ) {}

  onApplicationBootstrap(): void {
    const sim = this.config.simulator;
    if (!sim.enabled) return;
    const simulation = createSimulation({
      seed: sim.seed,
      learners: sim.learners,
      days: sim.days,
      live: sim.live,
      duplicateFraction: 0.01,
      lateFraction: 0.02,
      invalidFraction: 0.002,
    });
    this.logger.log(
      `simulating ${sim.learners} learners: ${sim.days} days up to now at ${sim.ratePerSecond || 'max'} events/s${sim.live ? ', then live (events as their time comes)' : ''}, into ${this.config.topics.events}`,
    );
    let lastLog = 0;
    this.running = publishStream(simulation, new PublisherSink(this.publisher, this.config.topics.events), {
      ratePerSecond: sim.ratePerSecond,
      followWallClock: sim.live,
      dueTimeMs: (event) => simulation.dueTimeMs(event),
      onCaughtUp: (p) =>
        this.logger.log(`simulation reached the present after ${p.published} events; live from now on`),
      signal: this.abort.signal,
      onProgress: (p) => {
        if (p.elapsedMs - lastLog < 5000) return;
        lastLog = p.elapsedMs;
        this.logger.log(`published ${p.published} events (event time ${new Date(p.eventTimeMs).toISOString()})`);
      },
    }).then(
      (p) =>
        this.logger.log(
          `simulation ${this.abort.signal.aborted ? 'stopped' : 'finished'}: ${p.published} events published`,
        ),
      (err: unknown) => this.logger.error(`simulation stopped: ${(err as Error).message}`),
    );
  }

  // Stops first (module destroy precedes the transport and connection shutdown), so nothing publishes into a closing bus.
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.running;
  }
}
