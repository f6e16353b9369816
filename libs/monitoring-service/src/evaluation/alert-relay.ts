import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  CONTENT_TYPE_HEADER,
  encodeMonitoringAlert,
  encodeTrainingRequest,
  monitoringAlertFromJson,
  trainingRequestFromJson,
} from '@pulse/contracts';
import { WakeableLoop } from '@pulse/core';
import { MS_CONFIG, MS_INFRASTRUCTURE } from '../app/tokens';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';

interface OutboxPayload {
  readonly topic: 'alerts' | 'training';
  readonly key: string;
  readonly message: unknown;
}

/**
 * Publishes the alert outbox (written with each alert transition) to monitoring.alerts.v1 and, for
 * retraining, training.requests.v1; then marks it published. At least once; the alert id and the
 * request id are the same on every delivery, so consumers (training-service included) dedupe.
 */
@Injectable()
export class AlertRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('AlertRelay');
  private readonly loop: WakeableLoop;

  constructor(
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
  ) {
    this.loop = new WakeableLoop(() => this.drain(), 1000);
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

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const pending = await this.infra.monitoring.pendingAlertMessages(100);
        if (pending.length === 0) return;
        for (const p of pending) {
          const payload = p.payload as unknown as OutboxPayload;
          if (payload.topic === 'training') {
            const encoded = encodeTrainingRequest(trainingRequestFromJson(payload.message), 'json');
            await this.infra.publisher.publish(this.config.topics.trainingRequests, [
              { key: payload.key, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } },
            ]);
          } else {
            const encoded = encodeMonitoringAlert(monitoringAlertFromJson(payload.message));
            await this.infra.publisher.publish(this.config.topics.alerts, [
              { key: payload.key, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } },
            ]);
          }
        }
        await this.infra.monitoring.markAlertMessagesPublished(pending.map((p) => p.id));
        if (this.loop.isStopped) return;
      }
    } catch (err) {
      this.log.warn(`publishing alerts failed; retrying: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
