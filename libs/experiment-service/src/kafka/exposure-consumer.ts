import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BusMessage, Subscription } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  ContractMessageError,
  decodeExperimentExposure,
  encodeDeadLetter,
  type ExperimentExposureMessage,
} from '@pulse/contracts';
import { ConnectionError } from '@pulse/core';
import type { ExperimentServiceMetrics } from '../app/experiment-service.metrics';
import { XS_CONFIG, XS_INFRASTRUCTURE, XS_METRICS } from '../app/tokens';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';

/**
 * Records each unit's first exposure per experiment from experiments.exposures.v1 (whoever published
 * it: the assignments API, inference-service routing triggers). A batch is committed after its
 * exposures are stored, and storing is idempotent (the earliest exposure is kept), so redelivery
 * changes nothing. A record that is not an exposure goes to the DLQ with the reason, and the
 * partition moves on.
 */
@Injectable()
export class ExposureConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('ExposureConsumer');
  private subscription?: Subscription;

  constructor(
    @Inject(XS_INFRASTRUCTURE) private readonly infra: ExperimentInfrastructure,
    @Inject(XS_CONFIG) private readonly config: ExperimentServiceConfig,
    @Inject(XS_METRICS) private readonly metrics: ExperimentServiceMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.infra.bus.subscribe({
      groupId: this.config.consumerGroup,
      topics: [this.config.topics.exposures],
      fromBeginning: true,
      maxBatchSize: 1000,
      handler: (batch, ctx) => this.onBatch(batch, ctx.topic, ctx.partition),
      onBatch: (report) =>
        this.metrics.consumerLag.set({ topic: report.topic, partition: String(report.partition) }, report.lag),
      onError: (err) =>
        this.log.error(`the exposures consumer stopped: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Tests: leave without committing the batch in hand, as a crash would. */
  kill(): Promise<void> | undefined {
    return this.subscription?.kill();
  }

  private async onBatch(batch: readonly BusMessage[], topic: string, partition: number): Promise<void> {
    const exposures: ExperimentExposureMessage[] = [];
    const dead: Uint8Array[] = [];
    for (const message of batch) {
      try {
        exposures.push(decodeExperimentExposure(message.value, message.headers[CONTENT_TYPE_HEADER]));
      } catch (err) {
        if (!(err instanceof ContractMessageError)) throw err;
        dead.push(
          encodeDeadLetter({
            reason: err.reason,
            message: err.message,
            ...(err.field === undefined ? {} : { field: err.field }),
            original: message.value,
            originalContentType: message.headers[CONTENT_TYPE_HEADER] ?? '',
            sourceTopic: topic,
            sourcePartition: partition,
            sourceOffset: message.offset,
            ...(message.key === null ? {} : { sourceKey: message.key }),
            failedAtMs: Date.now(),
            service: this.config.consumerGroup,
          }),
        );
      }
    }
    if (dead.length > 0) {
      await this.infra.publisher.publish(
        this.config.topics.exposuresDlq,
        dead.map((value) => ({
          key: null,
          value: Buffer.from(value),
          headers: { [CONTENT_TYPE_HEADER]: 'application/x-protobuf' },
        })),
      );
      this.metrics.exposuresConsumed.inc({ outcome: 'rejected' }, dead.length);
    }
    const fresh = await this.record(
      exposures.map((x) => ({
        experimentKey: x.experimentKey,
        unitId: x.unitId,
        variant: x.variant,
        exposureId: x.exposureId,
        exposedAtMs: x.exposedAtMs,
      })),
    );
    this.metrics.exposuresConsumed.inc({ outcome: 'new' }, fresh);
    this.metrics.exposuresConsumed.inc({ outcome: 'repeat' }, exposures.length - fresh);
  }

  /** A database failure may pass: retriable, so the bus retries the batch (with backoff) instead of stopping. */
  private async record(
    rows: Parameters<ExperimentInfrastructure['experiments']['recordExposures']>[0],
  ): Promise<number> {
    try {
      return await this.infra.experiments.recordExposures(rows);
    } catch (err) {
      throw new ConnectionError(`recording exposures failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
}
