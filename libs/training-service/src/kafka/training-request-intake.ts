import { Inject, Injectable } from '@nestjs/common';
import type { BusMessage } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  ContractMessageError,
  decodeTrainingRequest,
  type DeadLetterRecord,
  type TrainingRequestMessage,
} from '@pulse/contracts';
import { ConnectionError, PulseError } from '@pulse/core';
import type { TrainingServiceMetrics } from '../app/training-service.metrics';
import { TS_INFRASTRUCTURE, TS_METRICS } from '../app/tokens';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingRequests, UnknownModelError } from '../jobs/training-requests';

const SERVICE = 'training-service';

/** The reason code of a request for a model no spec declares (the decoder's reasons cover the rest). */
export const UNKNOWN_MODEL_REASON = 'unknown_model';

/**
 * training.requests.v1, a batch at a time: each decodable request for a declared model becomes a job
 * (deduplicated on its request id, so a redelivered batch queues nothing twice); the others go to the
 * DLQ with the reason. Resolves once every job row and dead letter is durable: only then does the bus
 * commit the batch.
 */
@Injectable()
export class TrainingRequestIntake {
  constructor(
    private readonly requests: TrainingRequests,
    @Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure,
    @Inject(TS_METRICS) private readonly metrics: TrainingServiceMetrics,
  ) {}

  async handleBatch(batch: readonly BusMessage[]): Promise<void> {
    const dead: DeadLetterRecord[] = [];
    const nowMs = Date.now();
    for (const message of batch) {
      const contentType = message.headers[CONTENT_TYPE_HEADER];
      let request: TrainingRequestMessage;
      try {
        request = decodeTrainingRequest(message.value, contentType);
      } catch (err) {
        if (!(err instanceof ContractMessageError)) throw err;
        dead.push(deadLetter(message, nowMs, err.reason, err.message, err.field));
        continue;
      }
      try {
        await this.requests.submit({
          requestId: request.requestId,
          model: request.model,
          params: request.parameters,
          fromMs: request.trainFromMs,
          untilMs: request.trainUntilMs,
          trigger: request.trigger,
          reason: request.reason,
          requestedBy: request.requestedBy,
        });
      } catch (err) {
        if (err instanceof UnknownModelError) {
          dead.push(deadLetter(message, nowMs, UNKNOWN_MODEL_REASON, err.message, 'model'));
          continue;
        }
        // The registry away: retriable, so the bus retries the batch (nothing of it is committed).
        if (err instanceof PulseError) throw err;
        throw new ConnectionError(`queuing training request ${request.requestId} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    if (dead.length === 0) return;
    const { addedByReason } = await this.infra.deadLetters.write(dead);
    // Counted once per record: a redelivered batch's dead letters are in the outbox already.
    for (const [reason, n] of Object.entries(addedByReason)) this.metrics.requestsDeadLettered.inc({ reason }, n);
  }
}

function deadLetter(
  message: BusMessage,
  nowMs: number,
  reason: string,
  text: string,
  field: string | undefined,
): DeadLetterRecord {
  return {
    reason,
    message: text,
    ...(field === undefined ? {} : { field }),
    original: message.value,
    originalContentType: message.headers[CONTENT_TYPE_HEADER] ?? '',
    sourceTopic: message.topic,
    sourcePartition: message.partition,
    sourceOffset: message.offset,
    ...(message.key === null ? {} : { sourceKey: message.key }),
    failedAtMs: nowMs,
    service: SERVICE,
  };
}
