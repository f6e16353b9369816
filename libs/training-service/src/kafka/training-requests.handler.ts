import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { BusMessage } from '@pulse/bus';
import { BusHandler } from '@pulse/nest-bus';
import { TrainingRequestIntake } from './training-request-intake';

/**
 * The training-requests batch handler, built per topic name because the topic is configuration
 * (TRAINING_REQUESTS_TOPIC) and a decorator's pattern is fixed when the class is made.
 */
export function trainingRequestsHandler(topic: string): Type<unknown> {
  @Controller()
  class TrainingRequestsHandler {
    constructor(private readonly intake: TrainingRequestIntake) {}

    @BusHandler(topic)
    handle(@Payload() batch: BusMessage[]): Promise<void> {
      return this.intake.handleBatch(batch);
    }
  }
  return TrainingRequestsHandler;
}
