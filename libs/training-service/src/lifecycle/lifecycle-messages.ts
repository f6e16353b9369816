import { randomUUID } from 'node:crypto';
import { CONTENT_TYPE_HEADER, encodeModelLifecycle, type ModelLifecycleMessage } from '@pulse/contracts';
import type { OutgoingMessage } from '@pulse/bus';
import type { ModelLifecycleEvent, TrainingJob } from '@pulse/storage';

/**
 * The registry's outbox event as a models.lifecycle.v1 message. `featureViewVersions` of a registered
 * version come from its lineage (the outbox event does not carry them).
 */
export function lifecycleMessageOf(
  event: ModelLifecycleEvent,
  featureViewVersions: Readonly<Record<string, number>> = {},
): ModelLifecycleMessage {
  const occurredAtMs = Date.parse(event.occurredAt);
  if (event.type === 'registered')
    return {
      eventId: event.eventId,
      model: event.model,
      type: 'registered',
      version: event.version,
      occurredAtMs,
      ...(event.trainingRequestId === null ? {} : { trainingRequestId: event.trainingRequestId }),
      ...(event.trainingJobId === null ? {} : { jobId: event.trainingJobId }),
      metrics: event.metrics,
      artifactSha256: event.onnxSha256,
      featureNames: event.featureNames,
      featureViewVersions,
      message: event.gatesPassed ? 'registered; every gate passed' : 'registered; a gate failed',
      gatesPassed: event.gatesPassed,
    };
  return {
    eventId: event.eventId,
    model: event.model,
    type: 'alias_moved',
    version: event.toVersion ?? 0,
    occurredAtMs,
    metrics: {},
    featureNames: [],
    featureViewVersions: {},
    message: event.reason,
    alias: event.alias,
    ...(event.fromVersion === null ? {} : { fromVersion: event.fromVersion }),
    ...(event.toVersion === null ? {} : { toVersion: event.toVersion }),
    actor: event.actor,
  };
}

/** training_started / training_failed: what happens to a job before (or instead of) a registration. */
export function jobLifecycleMessage(
  job: TrainingJob,
  type: 'training_started' | 'training_failed',
  message: string,
): ModelLifecycleMessage {
  return {
    eventId: randomUUID(),
    model: job.model,
    type,
    version: 0,
    occurredAtMs: Date.now(),
    trainingRequestId: job.requestId,
    jobId: job.id,
    metrics: {},
    featureNames: [],
    featureViewVersions: {},
    message,
    actor: job.requestedBy,
  };
}

/** As published: protobuf with its content-type header, keyed by model (a model's events stay in order). */
export function lifecycleRecord(message: ModelLifecycleMessage): OutgoingMessage {
  const encoded = encodeModelLifecycle(message);
  return { key: message.model, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
}
