import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  CONTENT_TYPE_HEADER,
  encodeExperimentExposure,
  exposureId,
  type ExperimentExposureMessage,
} from '@pulse/contracts';
import { ValidationError } from '@pulse/core';
import { assign, ExperimentDirectory, type Attributes } from '@pulse/experiments';
import type { ExperimentServiceMetrics } from '../app/experiment-service.metrics';
import { XS_CONFIG, XS_INFRASTRUCTURE, XS_METRICS } from '../app/tokens';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';
import { ChangeRelay } from '../catalog/change-relay.service';

// Other copies' changes reach this one's directory within this time.
const REFRESH_MS = 2000;
const MAX_UNIT_LENGTH = 256;

export interface UnitAssignment {
  readonly experiment: string;
  readonly version: number;
  readonly inExperiment: boolean;
  readonly variationId: number;
  /** The variation's key (meta key, else its index). */
  readonly variant: string;
  readonly name?: string;
  readonly value: unknown;
  readonly reason?: string;
  readonly exposureId?: string;
}

/**
 * Every running experiment's variation for a unit, from definitions held in memory (refreshed after
 * each change and every 2 s), assigned as GrowthBook's SDKs assign; each exposure is published to
 * experiments.exposures.v1 before the answer goes out.
 */
@Injectable()
export class AssignmentService implements OnApplicationBootstrap, OnApplicationShutdown {
  private directory = new ExperimentDirectory();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(XS_INFRASTRUCTURE) private readonly infra: ExperimentInfrastructure,
    @Inject(XS_CONFIG) private readonly config: ExperimentServiceConfig,
    @Inject(XS_METRICS) private readonly metrics: ExperimentServiceMetrics,
    relay: ChangeRelay,
  ) {
    relay.onPublished(() => void this.refresh().catch(() => undefined));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const next = new ExperimentDirectory();
    for (const e of await this.infra.experiments.list())
      next.apply({ key: e.key, version: e.version, definition: e.definition });
    this.directory = next;
  }

  /**
   * `unit` is the value of each experiment's hash attribute unless `attributes` names it; the other
   * attributes serve targeting conditions.
   */
  async assignUnit(unit: string, attributes: Attributes, atMs = Date.now()): Promise<UnitAssignment[]> {
    if (typeof unit !== 'string' || unit === '' || unit.length > MAX_UNIT_LENGTH || unit.includes('\u0000'))
      throw new ValidationError(`unit must be 1–${MAX_UNIT_LENGTH} characters without NUL`, { field: 'unit' });
    const out: UnitAssignment[] = [];
    const exposures: ExperimentExposureMessage[] = [];
    for (const experiment of this.directory.running()) {
      const attrs = { ...attributes, [experiment.hashAttribute]: attributes[experiment.hashAttribute] ?? unit };
      const a = assign(experiment, attrs, { at: atMs });
      const hashValue = String(a.hashValue);
      const id = a.inExperiment ? exposureId(experiment.key, hashValue) : undefined;
      out.push({
        experiment: experiment.key,
        version: experiment.version,
        inExperiment: a.inExperiment,
        variationId: a.variationId,
        variant: a.key,
        ...(a.name === undefined ? {} : { name: a.name }),
        value: a.value,
        ...(a.inExperiment ? {} : { reason: a.reason }),
        ...(id === undefined ? {} : { exposureId: id }),
      });
      if (id !== undefined)
        exposures.push({
          exposureId: id,
          experimentKey: experiment.key,
          variant: a.key,
          unitId: hashValue,
          exposedAtMs: atMs,
          context: { source: 'assignments-api', experimentVersion: String(experiment.version) },
        });
    }
    if (exposures.length > 0) {
      await this.infra.publisher.publish(
        this.config.topics.exposures,
        exposures.map((x) => {
          const encoded = encodeExperimentExposure(x, this.config.exposuresFormat);
          return { key: x.unitId, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
        }),
      );
      for (const x of exposures)
        this.metrics.exposuresPublished.inc({ experiment: x.experimentKey, variant: x.variant });
    }
    return out;
  }
}
