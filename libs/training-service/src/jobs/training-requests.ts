import { Inject, Injectable } from '@nestjs/common';
import { PulseError } from '@pulse/core';
import type { ModelSpec } from '@pulse/models';
import type { CreateJobResult } from '@pulse/storage';
import { MODEL_SPECS, TS_INFRASTRUCTURE } from '../app/tokens';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingRuntime } from './training-runtime';

/** A training request for a model no spec declares (HTTP 404; on Kafka, a dead letter). */
export class UnknownModelError extends PulseError {
  constructor(
    readonly model: string,
    readonly known: readonly string[],
  ) {
    super(`no model spec named ${JSON.stringify(model)}; the specs are ${known.join(', ')}`, { retriable: false });
  }
}

/** A request to train, however it came (HTTP, Kafka, the embedded start). */
export interface TrainingRequestInput {
  /** Deduplicates: a request id seen before gets its job back. */
  readonly requestId: string;
  readonly model: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly fromMs?: number;
  readonly untilMs?: number;
  readonly trigger: string;
  readonly reason: string;
  readonly requestedBy: string;
}

/** Queues training jobs: one per request id, for declared models only; the scheduler is woken at once. */
@Injectable()
export class TrainingRequests {
  constructor(
    @Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure,
    @Inject(MODEL_SPECS) private readonly specs: Readonly<Record<string, ModelSpec>>,
    private readonly runtime: TrainingRuntime,
  ) {}

  /** Whether a spec declares the model. */
  knows(model: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.specs, model);
  }

  /** @throws UnknownModelError */
  assertKnown(model: string): void {
    if (!this.knows(model)) throw new UnknownModelError(model, Object.keys(this.specs));
  }

  async submit(input: TrainingRequestInput): Promise<CreateJobResult> {
    this.assertKnown(input.model);
    const result = await this.infra.registry.createJob({
      requestId: input.requestId,
      model: input.model,
      params: input.params,
      trainFrom: input.fromMs === undefined ? null : new Date(input.fromMs),
      trainUntil: input.untilMs === undefined ? null : new Date(input.untilMs),
      trigger: input.trigger,
      reason: input.reason,
      requestedBy: input.requestedBy,
    });
    if (result.created) this.runtime.wake();
    return result;
  }
}
