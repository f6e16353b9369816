import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { TrainingRequest as TrainingRequestProto } from '../gen/pulse/v1/training_request_pb';
import { TrainingRequestSchema, TrainingTrigger as TriggerEnum } from '../gen/pulse/v1/training_request_pb';
import { ContentTypes } from '../wire/content-type';
import type { EncodedMessage, MessageFormat } from './contract-message.reader';
import { asBuffer, ContractMessageReader, timestampToMs } from './contract-message.reader';

/** Why a training run was requested (the TrainingTrigger enum of training_request.proto, lowercase). */
export const TRAINING_TRIGGERS = ['manual', 'schedule', 'drift', 'quality_degradation', 'bootstrap'] as const;
export type TrainingTrigger = (typeof TRAINING_TRIGGERS)[number];

/** A TrainingRequest (training.requests.v1) in TypeScript terms, times as epoch ms. */
export interface TrainingRequestMessage {
  /** Unique per request; training-service deduplicates on it. */
  readonly requestId: string;
  /** The model spec to train, e.g. lesson_completion. */
  readonly model: string;
  readonly trigger: TrainingTrigger;
  /** Free text (may be empty). */
  readonly reason: string;
  readonly requestedAtMs: number;
  /** Event-time range of training examples; absent means from the start of the log / up to now. */
  readonly trainFromMs?: number;
  readonly trainUntilMs?: number;
  /** Hyperparameter overrides, as strings (the model spec parses them). */
  readonly parameters: Readonly<Record<string, string>>;
  /** A user name or a service name. */
  readonly requestedBy: string;
  /** The monitoring alert behind the request, when there is one. */
  readonly alertId?: string;
}

/**
 * The JSON form: the TypeScript field names. Times are read as epoch ms or RFC 3339 strings and
 * written as epoch ms; parameter values may be written as JSON numbers or booleans.
 */
export interface TrainingRequestJson {
  requestId: string;
  model: string;
  trigger: string;
  reason: string;
  requestedAtMs: number | string;
  trainFromMs?: number | string;
  trainUntilMs?: number | string;
  parameters?: Record<string, string | number | boolean>;
  requestedBy: string;
  alertId?: string;
}

const FIELDS: ReadonlySet<string> = new Set([
  'requestId',
  'model',
  'trigger',
  'reason',
  'requestedAtMs',
  'trainFromMs',
  'trainUntilMs',
  'parameters',
  'requestedBy',
  'alertId',
]);

const TRIGGER_TO_ENUM: Record<TrainingTrigger, TriggerEnum> = {
  manual: TriggerEnum.MANUAL,
  schedule: TriggerEnum.SCHEDULE,
  drift: TriggerEnum.DRIFT,
  quality_degradation: TriggerEnum.QUALITY_DEGRADATION,
  bootstrap: TriggerEnum.BOOTSTRAP,
};
const ENUM_TO_TRIGGER = new Map<number, TrainingTrigger>(
  TRAINING_TRIGGERS.map((name) => [TRIGGER_TO_ENUM[name], name]),
);

const reader = new ContractMessageReader('TrainingRequest');

/** The one place that judges a request: both formats are mapped onto the TypeScript field names first. */
function checkTrainingRequest(c: Record<string, unknown>): TrainingRequestMessage {
  const requestId = reader.requiredId(c.requestId, 'requestId');
  const model = reader.modelName(c.model, 'model');
  const trigger = reader.enumName(c.trigger, 'trigger', TRAINING_TRIGGERS);
  const reason = reader.text(c.reason, 'reason');
  const requestedAtMs = reader.requiredTime(c.requestedAtMs, 'requestedAtMs');
  const trainFromMs = reader.optionalTime(c.trainFromMs, 'trainFromMs');
  const trainUntilMs = reader.optionalTime(c.trainUntilMs, 'trainUntilMs');
  if (trainFromMs !== undefined && trainUntilMs !== undefined && trainUntilMs <= trainFromMs) {
    reader.fail(
      'invalid_value',
      `trainUntilMs (${new Date(trainUntilMs).toISOString()}) must be after trainFromMs (${new Date(trainFromMs).toISOString()})`,
      'trainUntilMs',
    );
  }
  const parameters = reader.stringMap(c.parameters, 'parameters');
  const requestedBy = reader.requiredId(c.requestedBy, 'requestedBy');
  const alertId = reader.optionalId(c.alertId, 'alertId');
  return {
    requestId,
    model,
    trigger,
    reason,
    requestedAtMs,
    ...(trainFromMs === undefined ? {} : { trainFromMs }),
    ...(trainUntilMs === undefined ? {} : { trainUntilMs }),
    parameters,
    requestedBy,
    ...(alertId === undefined ? {} : { alertId }),
  };
}

/** Checks one parsed JSON value (e.g. an HTTP body); throws a ContractMessageError naming the field. */
export function trainingRequestFromJson(json: unknown): TrainingRequestMessage {
  return checkTrainingRequest(reader.object(json, FIELDS));
}

/** Checks a decoded protobuf message; throws a ContractMessageError naming the field. */
export function trainingRequestFromProto(msg: TrainingRequestProto): TrainingRequestMessage {
  return checkTrainingRequest({
    requestId: msg.requestId,
    model: msg.model,
    // 0 (UNSPECIFIED) is proto3's "not set"; a number from a newer schema is reported as it is.
    trigger: msg.trigger === TriggerEnum.UNSPECIFIED ? undefined : (ENUM_TO_TRIGGER.get(msg.trigger) ?? msg.trigger),
    reason: msg.reason,
    requestedAtMs: timestampToMs(msg.requestedAt),
    trainFromMs: timestampToMs(msg.trainFrom),
    trainUntilMs: timestampToMs(msg.trainUntil),
    parameters: msg.parameters,
    requestedBy: msg.requestedBy,
    alertId: msg.alertId,
  });
}

/**
 * Decodes one training.requests.v1 record value. `contentType` is its content-type header:
 * application/x-protobuf (the default) or application/json. Throws a ContractMessageError whose
 * reason and field say what is wrong (undecodable bytes, a missing requestId, an empty model, a bad time, ...).
 */
export function decodeTrainingRequest(value: Uint8Array, contentType?: string | null): TrainingRequestMessage {
  return reader.wireFormat(contentType, value) === 'json'
    ? trainingRequestFromJson(reader.jsonObject(value))
    : trainingRequestFromProto(reader.protobuf(TrainingRequestSchema, value));
}

export function trainingRequestToJson(msg: TrainingRequestMessage): TrainingRequestJson {
  return {
    requestId: msg.requestId,
    model: msg.model,
    trigger: msg.trigger,
    reason: msg.reason,
    requestedAtMs: msg.requestedAtMs,
    ...(msg.trainFromMs === undefined ? {} : { trainFromMs: msg.trainFromMs }),
    ...(msg.trainUntilMs === undefined ? {} : { trainUntilMs: msg.trainUntilMs }),
    parameters: { ...msg.parameters },
    requestedBy: msg.requestedBy,
    ...(msg.alertId === undefined ? {} : { alertId: msg.alertId }),
  };
}

export function trainingRequestToProto(msg: TrainingRequestMessage): TrainingRequestProto {
  return create(TrainingRequestSchema, {
    requestId: msg.requestId,
    model: msg.model,
    trigger: TRIGGER_TO_ENUM[msg.trigger] ?? TriggerEnum.UNSPECIFIED,
    reason: msg.reason,
    requestedAt: timestampFromMs(msg.requestedAtMs),
    trainFrom: msg.trainFromMs === undefined ? undefined : timestampFromMs(msg.trainFromMs),
    trainUntil: msg.trainUntilMs === undefined ? undefined : timestampFromMs(msg.trainUntilMs),
    parameters: { ...msg.parameters },
    requestedBy: msg.requestedBy,
    alertId: msg.alertId,
  });
}

/**
 * Encodes for publishing. Faithful, not checking (the consumer is where requests are judged, and
 * tests of the dead-letter path need bad requests on the wire).
 */
export function encodeTrainingRequest(msg: TrainingRequestMessage, format: MessageFormat = 'proto'): EncodedMessage {
  return format === 'json'
    ? { value: Buffer.from(JSON.stringify(trainingRequestToJson(msg)), 'utf8'), contentType: ContentTypes.json }
    : {
        value: asBuffer(toBinary(TrainingRequestSchema, trainingRequestToProto(msg))),
        contentType: ContentTypes.protobuf,
      };
}
