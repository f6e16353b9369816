import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { BusMessage } from '@pulse/bus';
import { BusHandler } from '@pulse/nest-bus';
import { IngestService } from './ingest.service';

/**
 * The engagement-events batch handler. Built per topic name because the topic is configuration
 * (ENGAGEMENT_TOPIC) and a decorator's pattern is fixed when the class is made.
 */
export function engagementEventsHandler(topic: string): Type<unknown> {
  @Controller()
  class EngagementEventsHandler {
    constructor(private readonly ingest: IngestService) {}

    @BusHandler(topic)
    async handle(@Payload() batch: BusMessage[]): Promise<void> {
      await this.ingest.ingestBatch(batch);
    }
  }
  return EngagementEventsHandler;
}
