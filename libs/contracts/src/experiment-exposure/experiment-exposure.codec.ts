import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { ExperimentExposure as ExposureProto } from '../gen/pulse/v1/experiment_exposure_pb';
import { ExperimentExposureSchema } from '../gen/pulse/v1/experiment_exposure_pb';
import type { EncodedMessage, MessageFormat } from '../training-request/contract-message.reader';
import { asBuffer, ContractMessageReader, timestampToMs } from '../training-request/contract-message.reader';
import { ContentTypes } from '../wire/content-type';

/**
 * An ExperimentExposure (experiments.exposures.v1, keyed by unit) in TypeScript terms: a unit saw a
 * variation of an experiment. Published by whoever assigned it (the assignments API, inference-service
 * routing a trigger); experiment-service records each unit's first exposure per experiment.
 */
export interface ExperimentExposureMessage {
  /** exposureId(experimentKey, unitId): the same for every exposure of the unit to the experiment. */
  readonly exposureId: string;
  readonly experimentKey: string;
  /** The variation's key (its meta key, or its index as a string). */
  readonly variant: string;
  /** The randomisation unit: the hash attribute's value, usually the entity id. */
  readonly unitId: string;
  readonly exposedAtMs: number;
  readonly triggerEventId?: string;
  readonly predictionId?: string;
  readonly model?: string;
  readonly modelVersion?: number;
  /** Extra context for segmenting results (e.g. channel, the experiment's version). */
  readonly context: Readonly<Record<string, string>>;
}

/** The JSON form: the TypeScript field names; exposedAtMs as epoch ms (RFC 3339 strings are read too). */
export interface ExperimentExposureJson {
  exposureId: string;
  experimentKey: string;
  variant: string;
  unitId: string;
  exposedAtMs: number | string;
  triggerEventId?: string;
  predictionId?: string;
  model?: string;
  modelVersion?: number;
  context?: Record<string, string>;
}

const FIELDS: ReadonlySet<string> = new Set([
  'exposureId',
  'experimentKey',
  'variant',
  'unitId',
  'exposedAtMs',
  'triggerEventId',
  'predictionId',
  'model',
  'modelVersion',
  'context',
]);

const reader = new ContractMessageReader('ExperimentExposure');

function checkExposure(c: Record<string, unknown>): ExperimentExposureMessage {
  const exposureId = reader.requiredId(c.exposureId, 'exposureId');
  const experimentKey = reader.requiredId(c.experimentKey, 'experimentKey');
  const variant = reader.requiredId(c.variant, 'variant');
  const unitId = reader.requiredId(c.unitId, 'unitId');
  const exposedAtMs = reader.requiredTime(c.exposedAtMs, 'exposedAtMs');
  const triggerEventId = reader.optionalId(c.triggerEventId, 'triggerEventId');
  const predictionId = reader.optionalId(c.predictionId, 'predictionId');
  const model = c.model === undefined || c.model === '' ? undefined : reader.modelName(c.model, 'model');
  const modelVersion = reader.optionalInt(c.modelVersion, 'modelVersion', 0);
  const context = reader.stringMap(c.context, 'context');
  return {
    exposureId,
    experimentKey,
    variant,
    unitId,
    exposedAtMs,
    ...(triggerEventId === undefined ? {} : { triggerEventId }),
    ...(predictionId === undefined ? {} : { predictionId }),
    ...(model === undefined ? {} : { model }),
    ...(modelVersion === undefined || modelVersion === 0 ? {} : { modelVersion }),
    context,
  };
}

/** Checks one parsed JSON value; throws a ContractMessageError naming the field. */
export function experimentExposureFromJson(json: unknown): ExperimentExposureMessage {
  return checkExposure(reader.object(json, FIELDS));
}

/** Checks a decoded protobuf message; throws a ContractMessageError naming the field. */
export function experimentExposureFromProto(msg: ExposureProto): ExperimentExposureMessage {
  return checkExposure({
    exposureId: msg.exposureId,
    experimentKey: msg.experimentId,
    variant: msg.variant,
    unitId: msg.unitId,
    exposedAtMs: timestampToMs(msg.exposedAt),
    triggerEventId: msg.triggerEventId,
    predictionId: msg.predictionId,
    model: msg.model,
    modelVersion: msg.modelVersion,
    context: msg.context,
  });
}

/** Decodes one experiments.exposures.v1 record value (protobuf by default, or JSON by content type). */
export function decodeExperimentExposure(value: Uint8Array, contentType?: string | null): ExperimentExposureMessage {
  return reader.wireFormat(contentType, value) === 'json'
    ? experimentExposureFromJson(reader.jsonObject(value))
    : experimentExposureFromProto(reader.protobuf(ExperimentExposureSchema, value));
}

export function experimentExposureToJson(msg: ExperimentExposureMessage): ExperimentExposureJson {
  return {
    exposureId: msg.exposureId,
    experimentKey: msg.experimentKey,
    variant: msg.variant,
    unitId: msg.unitId,
    exposedAtMs: msg.exposedAtMs,
    ...(msg.triggerEventId === undefined ? {} : { triggerEventId: msg.triggerEventId }),
    ...(msg.predictionId === undefined ? {} : { predictionId: msg.predictionId }),
    ...(msg.model === undefined ? {} : { model: msg.model }),
    ...(msg.modelVersion === undefined ? {} : { modelVersion: msg.modelVersion }),
    context: { ...msg.context },
  };
}

export function experimentExposureToProto(msg: ExperimentExposureMessage): ExposureProto {
  return create(ExperimentExposureSchema, {
    exposureId: msg.exposureId,
    experimentId: msg.experimentKey,
    variant: msg.variant,
    unitId: msg.unitId,
    exposedAt: timestampFromMs(msg.exposedAtMs),
    triggerEventId: msg.triggerEventId,
    predictionId: msg.predictionId,
    model: msg.model,
    modelVersion: msg.modelVersion,
    context: { ...msg.context },
  });
}

/** Encodes an exposure: JSON (the default, like predictions) or protobuf, with its content type. */
export function encodeExperimentExposure(
  msg: ExperimentExposureMessage,
  format: MessageFormat = 'json',
): EncodedMessage {
  return format === 'json'
    ? { value: Buffer.from(JSON.stringify(experimentExposureToJson(msg)), 'utf8'), contentType: ContentTypes.json }
    : {
        value: asBuffer(toBinary(ExperimentExposureSchema, experimentExposureToProto(msg))),
        contentType: ContentTypes.protobuf,
      };
}
