import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { ModelLifecycleEvent as ModelLifecycleProto } from '../gen/pulse/v1/model_lifecycle_pb';
import { ModelLifecycleEventSchema, ModelLifecycleEventType as TypeEnum } from '../gen/pulse/v1/model_lifecycle_pb';
import type { EncodedMessage, MessageFormat } from '../training-request/contract-message.reader';
import {
  asBuffer,
  ContractMessageReader,
  numberToJson,
  timestampToMs,
} from '../training-request/contract-message.reader';
import { ContentTypes } from '../wire/content-type';

/**
 * What happened to a model (the ModelLifecycleEventType enum, lowercase). STAGE_CHANGED is not here:
 * versions are addressed through aliases, whose moves are alias_moved. version_refused comes from
 * inference-service: a registry version whose artifact failed a load check is not served.
 */
export const MODEL_LIFECYCLE_TYPES = [
  'training_started',
  'training_failed',
  'registered',
  'gate_failed',
  'alias_moved',
  'version_refused',
] as const;
export type ModelLifecycleType = (typeof MODEL_LIFECYCLE_TYPES)[number];

/** SHA-256 as lowercase hex, as loaders compute it to verify an artifact. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A ModelLifecycleEvent (models.lifecycle.v1) in TypeScript terms, times as epoch ms. The proto's
 * stage, previous_stage and artifact_uri are not carried.
 */
export interface ModelLifecycleMessage {
  readonly eventId: string;
  /** The model spec name, e.g. lesson_completion. */
  readonly model: string;
  readonly type: ModelLifecycleType;
  /** Registry version, 1-based; 0 when no version exists yet (training started / failed). At least 1 for registered. */
  readonly version: number;
  readonly occurredAtMs: number;
  readonly trainingRequestId?: string;
  readonly jobId?: string;
  /** Test-split metrics by name (auc, accuracy, logloss, ...); NaN is allowed (e.g. AUC of a one-class split). */
  readonly metrics: Readonly<Record<string, number>>;
  /** SHA-256 of the ONNX artifact, 64 lowercase hex digits. */
  readonly artifactSha256?: string;
  /** Input features in the order the model expects them (distinct). */
  readonly featureNames: readonly string[];
  /** Feature view versions (1-based) the model was trained on, by view name. */
  readonly featureViewVersions: Readonly<Record<string, number>>;
  /**
   * Human-readable detail (failure cause, failed gate, ...); may be empty, except for version_refused,
   * where it names the load check that failed and what was wrong.
   */
  readonly message: string;
  /** alias_moved: the alias that moved; version_refused: the alias the version was to be served under. Required for both. */
  readonly alias?: string;
  /** alias_moved: where it pointed before; absent when the alias is new. */
  readonly fromVersion?: number;
  /** alias_moved: where it points now; absent when the alias was deleted. One of the two is required. */
  readonly toVersion?: number;
  /** Who caused the event: a user name or a service name. */
  readonly actor?: string;
  readonly gatesPassed?: boolean;
}

/**
 * The JSON form: the TypeScript field names. Times are read as epoch ms or RFC 3339 strings and
 * written as epoch ms; non-finite metrics travel as "NaN", "Infinity" or "-Infinity".
 */
export interface ModelLifecycleJson {
  eventId: string;
  model: string;
  type: string;
  version?: number;
  occurredAtMs: number | string;
  trainingRequestId?: string;
  jobId?: string;
  metrics?: Record<string, number | string>;
  artifactSha256?: string;
  featureNames?: string[];
  featureViewVersions?: Record<string, number>;
  message?: string;
  alias?: string;
  fromVersion?: number;
  toVersion?: number;
  actor?: string;
  gatesPassed?: boolean;
}

const FIELDS: ReadonlySet<string> = new Set([
  'eventId',
  'model',
  'type',
  'version',
  'occurredAtMs',
  'trainingRequestId',
  'jobId',
  'metrics',
  'artifactSha256',
  'featureNames',
  'featureViewVersions',
  'message',
  'alias',
  'fromVersion',
  'toVersion',
  'actor',
  'gatesPassed',
]);

const TYPE_TO_ENUM: Record<ModelLifecycleType, TypeEnum> = {
  training_started: TypeEnum.TRAINING_STARTED,
  training_failed: TypeEnum.TRAINING_FAILED,
  registered: TypeEnum.REGISTERED,
  gate_failed: TypeEnum.GATE_FAILED,
  alias_moved: TypeEnum.ALIAS_MOVED,
  version_refused: TypeEnum.VERSION_REFUSED,
};
const ENUM_TO_TYPE = new Map<number, string>([
  ...MODEL_LIFECYCLE_TYPES.map((name): [number, string] => [TYPE_TO_ENUM[name], name]),
  // Named, so the error says which type it is rather than a bare 5.
  [TypeEnum.STAGE_CHANGED, 'stage_changed'],
]);

const reader = new ContractMessageReader('ModelLifecycleEvent');

/** The one place that judges an event: both formats are mapped onto the TypeScript field names first. */
function checkModelLifecycle(c: Record<string, unknown>): ModelLifecycleMessage {
  const eventId = reader.requiredId(c.eventId, 'eventId');
  const model = reader.modelName(c.model, 'model');
  const type = reader.enumName(c.type, 'type', MODEL_LIFECYCLE_TYPES);
  const version = reader.optionalInt(c.version, 'version', 0) ?? 0;
  if ((type === 'registered' || type === 'version_refused') && version < 1) {
    reader.fail('invalid_value', `version must be at least 1 for a ${type} event, got ${version}`, 'version');
  }
  const occurredAtMs = reader.requiredTime(c.occurredAtMs, 'occurredAtMs');
  const trainingRequestId = reader.optionalId(c.trainingRequestId, 'trainingRequestId');
  const jobId = reader.optionalId(c.jobId, 'jobId');
  const metrics = reader.numberMap(c.metrics, 'metrics');
  const artifactSha256 = reader.optionalId(c.artifactSha256, 'artifactSha256');
  if (artifactSha256 !== undefined && !SHA256_HEX.test(artifactSha256)) {
    reader.fail('invalid_value', 'artifactSha256 must be 64 lowercase hex digits', 'artifactSha256');
  }
  const featureNames = reader.idList(c.featureNames, 'featureNames');
  const featureViewVersions = reader.intMap(c.featureViewVersions, 'featureViewVersions', 1);
  const message = reader.text(c.message, 'message');
  const alias = reader.optionalId(c.alias, 'alias');
  const fromVersion = reader.optionalInt(c.fromVersion, 'fromVersion', 1);
  const toVersion = reader.optionalInt(c.toVersion, 'toVersion', 1);
  const actor = reader.optionalId(c.actor, 'actor');
  const gatesPassed = reader.optionalBool(c.gatesPassed, 'gatesPassed');
  if (type === 'alias_moved') {
    if (alias === undefined) reader.fail('missing_field', 'alias is required for an alias_moved event', 'alias');
    if (fromVersion === undefined && toVersion === undefined) {
      reader.fail(
        'missing_field',
        'toVersion is required for an alias_moved event unless fromVersion is given (the alias was deleted)',
        'toVersion',
      );
    }
  }
  if (type === 'version_refused') {
    if (alias === undefined) reader.fail('missing_field', 'alias is required for a version_refused event', 'alias');
    if (message.trim() === '') {
      reader.fail(
        'missing_field',
        'message is required for a version_refused event (the load check that failed and what was wrong)',
        'message',
      );
    }
  }
  return {
    eventId,
    model,
    type,
    version,
    occurredAtMs,
    ...(trainingRequestId === undefined ? {} : { trainingRequestId }),
    ...(jobId === undefined ? {} : { jobId }),
    metrics,
    ...(artifactSha256 === undefined ? {} : { artifactSha256 }),
    featureNames,
    featureViewVersions,
    message,
    ...(alias === undefined ? {} : { alias }),
    ...(fromVersion === undefined ? {} : { fromVersion }),
    ...(toVersion === undefined ? {} : { toVersion }),
    ...(actor === undefined ? {} : { actor }),
    ...(gatesPassed === undefined ? {} : { gatesPassed }),
  };
}

/** Checks one parsed JSON value; throws a ContractMessageError naming the field. */
export function modelLifecycleFromJson(json: unknown): ModelLifecycleMessage {
  return checkModelLifecycle(reader.object(json, FIELDS));
}

/** Checks a decoded protobuf message; throws a ContractMessageError naming the field. */
export function modelLifecycleFromProto(msg: ModelLifecycleProto): ModelLifecycleMessage {
  return checkModelLifecycle({
    eventId: msg.eventId,
    model: msg.model,
    // 0 (UNSPECIFIED) is proto3's "not set"; a number from a newer schema is reported as it is.
    type: msg.type === TypeEnum.UNSPECIFIED ? undefined : (ENUM_TO_TYPE.get(msg.type) ?? msg.type),
    version: msg.version,
    occurredAtMs: timestampToMs(msg.occurredAt),
    trainingRequestId: msg.trainingRequestId,
    jobId: msg.jobId,
    metrics: msg.metrics,
    artifactSha256: msg.artifactSha256,
    featureNames: msg.featureNames,
    featureViewVersions: msg.featureViewVersions,
    message: msg.message,
    alias: msg.alias,
    fromVersion: msg.fromVersion,
    toVersion: msg.toVersion,
    actor: msg.actor,
    gatesPassed: msg.gatesPassed,
  });
}

/**
 * Decodes one models.lifecycle.v1 record value. `contentType` is its content-type header:
 * application/x-protobuf (the default) or application/json. Throws a ContractMessageError whose
 * reason and field say what is wrong.
 */
export function decodeModelLifecycle(value: Uint8Array, contentType?: string | null): ModelLifecycleMessage {
  return reader.wireFormat(contentType, value) === 'json'
    ? modelLifecycleFromJson(reader.jsonObject(value))
    : modelLifecycleFromProto(reader.protobuf(ModelLifecycleEventSchema, value));
}

export function modelLifecycleToJson(msg: ModelLifecycleMessage): ModelLifecycleJson {
  const json: ModelLifecycleJson = {
    eventId: msg.eventId,
    model: msg.model,
    type: msg.type,
    version: msg.version,
    occurredAtMs: msg.occurredAtMs,
  };
  if (msg.trainingRequestId !== undefined) json.trainingRequestId = msg.trainingRequestId;
  if (msg.jobId !== undefined) json.jobId = msg.jobId;
  json.metrics = Object.fromEntries(Object.entries(msg.metrics).map(([name, v]) => [name, numberToJson(v)]));
  if (msg.artifactSha256 !== undefined) json.artifactSha256 = msg.artifactSha256;
  json.featureNames = [...msg.featureNames];
  json.featureViewVersions = { ...msg.featureViewVersions };
  json.message = msg.message;
  if (msg.alias !== undefined) json.alias = msg.alias;
  if (msg.fromVersion !== undefined) json.fromVersion = msg.fromVersion;
  if (msg.toVersion !== undefined) json.toVersion = msg.toVersion;
  if (msg.actor !== undefined) json.actor = msg.actor;
  if (msg.gatesPassed !== undefined) json.gatesPassed = msg.gatesPassed;
  return json;
}

export function modelLifecycleToProto(msg: ModelLifecycleMessage): ModelLifecycleProto {
  return create(ModelLifecycleEventSchema, {
    eventId: msg.eventId,
    model: msg.model,
    type: TYPE_TO_ENUM[msg.type] ?? TypeEnum.UNSPECIFIED,
    version: msg.version,
    occurredAt: timestampFromMs(msg.occurredAtMs),
    trainingRequestId: msg.trainingRequestId,
    jobId: msg.jobId,
    metrics: { ...msg.metrics },
    artifactSha256: msg.artifactSha256,
    featureNames: [...msg.featureNames],
    featureViewVersions: { ...msg.featureViewVersions },
    message: msg.message,
    alias: msg.alias ?? '',
    fromVersion: msg.fromVersion,
    toVersion: msg.toVersion,
    actor: msg.actor ?? '',
    gatesPassed: msg.gatesPassed,
  });
}

/** Encodes for publishing. Faithful, not checking: the consumer is where events are judged. */
export function encodeModelLifecycle(msg: ModelLifecycleMessage, format: MessageFormat = 'proto'): EncodedMessage {
  return format === 'json'
    ? { value: Buffer.from(JSON.stringify(modelLifecycleToJson(msg)), 'utf8'), contentType: ContentTypes.json }
    : {
        value: asBuffer(toBinary(ModelLifecycleEventSchema, modelLifecycleToProto(msg))),
        contentType: ContentTypes.protobuf,
      };
}
