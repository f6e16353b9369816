import { Inject, Injectable } from '@nestjs/common';
import type { Publisher } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  encodeEngagementEvent,
  LEARNING_ENGAGEMENT_CATALOG,
  validateEngagementEventJson,
  type EngagementEvent,
  type RejectionReason,
} from '@pulse/contracts';
import type { FsMetrics } from '../app/feature-service.metrics';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { FS_CONFIG, FS_METRICS, PUBLISHER } from '../app/tokens';

export interface HttpEventError {
  readonly index: number;
  readonly eventId?: string;
  readonly reason: RejectionReason;
  readonly field?: string;
  readonly message: string;
}

export interface HttpIngestResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: HttpEventError[];
}

/**
 * HTTP ingestion validates exactly as the consumer does, then publishes the valid events to the
 * engagement topic keyed by entity: from there they take the same path as events produced to Kafka
 * (same ordering per entity, same idempotence), so there is no second write path to keep in step.
 */
@Injectable()
export class HttpIngestService {
  constructor(
    @Inject(FS_CONFIG) private readonly config: FeatureServiceConfig,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(FS_METRICS) private readonly metrics: FsMetrics,
  ) {}

  async publish(items: readonly unknown[]): Promise<HttpIngestResult> {
    const nowMs = Date.now();
    const accepted: EngagementEvent[] = [];
    const errors: HttpEventError[] = [];
    items.forEach((item, index) => {
      const result = validateEngagementEventJson(item, LEARNING_ENGAGEMENT_CATALOG, {
        nowMs,
        maxFutureSkewMs: this.config.maxFutureSkewMs,
      });
      if (result.ok) {
        accepted.push(result.event);
      } else {
        const eventId =
          typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['event_id'] : undefined;
        errors.push({ index, ...(typeof eventId === 'string' ? { eventId } : {}), ...result.rejection });
      }
    });
    if (accepted.length > 0) {
      await this.publisher.publish(
        this.config.topics.events,
        accepted.map((event) => {
          const { bytes, contentType } = encodeEngagementEvent(event, 'protobuf');
          return {
            key: event.entityId,
            value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
            headers: { [CONTENT_TYPE_HEADER]: contentType },
          };
        }),
      );
    }
    for (const e of errors) this.metrics.httpEventsRejected.inc({ reason: e.reason });
    return { accepted: accepted.length, rejected: errors.length, errors };
  }
}
