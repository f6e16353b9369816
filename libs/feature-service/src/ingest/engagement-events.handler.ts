import { Controller, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { BusMessage } from '@pulse/bus';
import { BusContext, BusHandler } from '@pulse/nest-bus';
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
    async handle(@Payload() batch: BusMessage[], @Ctx() ctx: BusContext): Promise<void> {
      // The states are written in partition order; the log append and the rest finish while the bus
      // hands over the next batch, and the batch is committed once they are done.
      ctx.completeLater(await this.ingest.beginBatch(batch));
    }
  }
  return EngagementEventsHandler;
}
