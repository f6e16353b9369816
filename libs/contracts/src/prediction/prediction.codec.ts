import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Prediction as PredictionProto } from '../gen/pulse/v1/prediction_pb';
import {
  PredictionFactorSchema,
  PredictionInputSchema,
  PredictionSchema,
  RiskTier as RiskTierEnum,
} from '../gen/pulse/v1/prediction_pb';
import type { EncodedMessage, MessageFormat } from '../training-request/contract-message.reader';
import { asBuffer, numberToJson, timestampToMs } from '../training-request/contract-message.reader';
import { ContentTypes } from '../wire/content-type';
import { PredictionMessageReader } from './prediction-message.reader';
import type { PredictionFactor, PredictionInput, PredictionMessage, RiskTier } from './prediction.types';
import { RISK_TIERS } from './prediction.types';

/** A double in JSON: a number, or "NaN" / "Infinity" / "-Infinity". */
type JsonNumber = number | string;

/**
 * The JSON form of a Prediction: the TypeScript field names. Times are epoch ms (RFC 3339 strings are
 * read too); non-finite numbers (an input's NaN) travel as "NaN", "Infinity" or "-Infinity"; an
 * input's stalenessMs is null when the entity had no data for its view.
 */
export interface PredictionJson {
  predictionId: string;
  model: string;
  modelVersion: number;
  alias: string;
  variant: string;
  experimentKey?: string;
  shadow: boolean;
  entityId: string;
  triggerEventId?: string;
  contentId?: string;
  asOfMs: number | string;
  predictedAtMs: number | string;
  score: JsonNumber;
  label?: string;
  classProbabilities: Record<string, JsonNumber>;
  riskTier: string;
  riskConfidence: JsonNumber;
  topFactors: Array<{ feature: string; value: JsonNumber; contribution: JsonNumber }>;
  inputs: Array<{ name: string; value: JsonNumber; stalenessMs: JsonNumber | null }>;
  fallback: boolean;
  fallbackReason?: string;
  latencyMs: JsonNumber;
}

const FIELDS: ReadonlySet<string> = new Set([
  'predictionId',
  'model',
  'modelVersion',
  'alias',
  'variant',
  'experimentKey',
  'shadow',
  'entityId',
  'triggerEventId',
  'contentId',
  'asOfMs',
  'predictedAtMs',
  'score',
  'label',
  'classProbabilities',
  'riskTier',
  'riskConfidence',
  'topFactors',
  'inputs',
  'fallback',
  'fallbackReason',
  'latencyMs',
]);
const FACTOR_FIELDS: ReadonlySet<string> = new Set(['feature', 'value', 'contribution']);
const INPUT_FIELDS: ReadonlySet<string> = new Set(['name', 'value', 'stalenessMs']);

const TIER_TO_ENUM: Record<RiskTier, RiskTierEnum> = {
  high: RiskTierEnum.HIGH,
  medium: RiskTierEnum.MEDIUM,
  low: RiskTierEnum.LOW,
};
const ENUM_TO_TIER = new Map<number, RiskTier>(RISK_TIERS.map((tier) => [TIER_TO_ENUM[tier], tier]));

const reader = new PredictionMessageReader('Prediction');
const PROBABILITY = { finite: true, min: 0, max: 1 } as const;

function checkFactors(value: unknown, known?: ReadonlySet<string>): PredictionFactor[] {
  return reader.list(value, 'topFactors').map((item, i) => {
    const path = `topFactors[${i}]`;
    const f = reader.element(item, path, known);
    return {
      feature: reader.requiredId(f.feature, `${path}.feature`),
      value: reader.requiredNumber(f.value, `${path}.value`),
      contribution: reader.requiredNumber(f.contribution, `${path}.contribution`, { finite: true }),
    };
  });
}

function checkInputs(value: unknown, known?: ReadonlySet<string>): PredictionInput[] {
  const seen = new Set<string>();
  return reader.list(value, 'inputs').map((item, i) => {
    const path = `inputs[${i}]`;
    const input = reader.element(item, path, known);
    const name = reader.requiredId(input.name, `${path}.name`);
    if (seen.has(name)) reader.fail('invalid_value', `${path}.name '${name}' is listed twice`, `${path}.name`);
    seen.add(name);
    return {
      name,
      value: reader.requiredNumber(input.value, `${path}.value`),
      stalenessMs: reader.optionalNumber(input.stalenessMs, `${path}.stalenessMs`, { finite: true, min: 0 }) ?? null,
    };
  });
}

/** The one place that judges a prediction: both formats are mapped onto the TypeScript field names first. */
function checkPrediction(c: Record<string, unknown>, json: boolean): PredictionMessage {
  const predictionId = reader.requiredId(c.predictionId, 'predictionId');
  const model = reader.modelName(c.model, 'model');
  const fallback = reader.optionalBool(c.fallback, 'fallback') ?? false;
  const modelVersion = reader.optionalInt(c.modelVersion, 'modelVersion', 0) ?? 0;
  if (!fallback && modelVersion < 1) {
    reader.fail(
      'invalid_value',
      `modelVersion must be at least 1 unless the fallback answered, got ${modelVersion}`,
      'modelVersion',
    );
  }
  const alias = reader.requiredId(c.alias, 'alias');
  const variant = reader.requiredId(c.variant, 'variant');
  const experimentKey = reader.optionalId(c.experimentKey, 'experimentKey');
  const shadow = reader.optionalBool(c.shadow, 'shadow') ?? false;
  const entityId = reader.requiredId(c.entityId, 'entityId');
  const triggerEventId = reader.optionalId(c.triggerEventId, 'triggerEventId');
  const contentId = reader.optionalId(c.contentId, 'contentId');
  const asOfMs = reader.requiredTime(c.asOfMs, 'asOfMs');
  const predictedAtMs = reader.requiredTime(c.predictedAtMs, 'predictedAtMs');
  const score = reader.requiredNumber(c.score, 'score', { finite: true });
  const label = reader.optionalId(c.label, 'label');
  const classProbabilities = reader.numberMap(c.classProbabilities, 'classProbabilities');
  for (const [name, p] of Object.entries(classProbabilities)) {
    reader.optionalNumber(p, `classProbabilities.${name}`, PROBABILITY);
  }
  const riskTier = reader.enumName(c.riskTier, 'riskTier', RISK_TIERS);
  const riskConfidence = reader.requiredNumber(c.riskConfidence, 'riskConfidence', PROBABILITY);
  const topFactors = checkFactors(c.topFactors, json ? FACTOR_FIELDS : undefined);
  const inputs = checkInputs(c.inputs, json ? INPUT_FIELDS : undefined);
  const reason = reader.text(c.fallbackReason, 'fallbackReason');
  const fallbackReason = reason === '' ? undefined : reason;
  if (fallback && fallbackReason === undefined) {
    reader.fail('missing_field', 'fallbackReason is required when the fallback answered', 'fallbackReason');
  }
  const latencyMs = reader.requiredNumber(c.latencyMs, 'latencyMs', { finite: true, min: 0 });
  return {
    predictionId,
    model,
    modelVersion,
    alias,
    variant,
    ...(experimentKey === undefined ? {} : { experimentKey }),
    shadow,
    entityId,
    ...(triggerEventId === undefined ? {} : { triggerEventId }),
    ...(contentId === undefined ? {} : { contentId }),
    asOfMs,
    predictedAtMs,
    score,
    ...(label === undefined ? {} : { label }),
    classProbabilities,
    riskTier,
    riskConfidence,
    topFactors,
    inputs,
    fallback,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    latencyMs,
  };
}

/** Checks one parsed JSON value; throws a ContractMessageError naming the field. */
export function predictionFromJson(json: unknown): PredictionMessage {
  return checkPrediction(reader.object(json, FIELDS), true);
}

/** Checks a decoded protobuf message; throws a ContractMessageError naming the field. */
export function predictionFromProto(msg: PredictionProto): PredictionMessage {
  return checkPrediction(
    {
      predictionId: msg.predictionId,
      model: msg.model,
      modelVersion: msg.modelVersion,
      alias: msg.alias,
      variant: msg.variant,
      experimentKey: msg.experimentKey,
      shadow: msg.shadow,
      entityId: msg.entityId,
      triggerEventId: msg.triggerEventId,
      contentId: msg.contentId,
      asOfMs: timestampToMs(msg.asOf),
      predictedAtMs: timestampToMs(msg.predictedAt),
      score: msg.score,
      label: msg.label,
      classProbabilities: msg.classProbabilities,
      // 0 (UNSPECIFIED) is proto3's "not set"; a number from a newer schema is reported as it is.
      riskTier:
        msg.riskTier === RiskTierEnum.UNSPECIFIED ? undefined : (ENUM_TO_TIER.get(msg.riskTier) ?? msg.riskTier),
      riskConfidence: msg.riskConfidence,
      topFactors: msg.topFactors.map((f) => ({ feature: f.feature, value: f.value, contribution: f.contribution })),
      inputs: msg.inputs.map((i) => ({ name: i.name, value: i.value, stalenessMs: i.stalenessMs })),
      fallback: msg.fallback,
      fallbackReason: msg.fallbackReason,
      latencyMs: msg.latencyMs,
    },
    false,
  );
}

/**
 * Decodes one predictions.<model>.v1 record value. `contentType` is its content-type header:
 * application/x-protobuf (the default) or application/json. Throws a ContractMessageError whose
 * reason and field say what is wrong.
 */
export function decodePrediction(value: Uint8Array, contentType?: string | null): PredictionMessage {
  return reader.wireFormat(contentType, value) === 'json'
    ? predictionFromJson(reader.jsonObject(value))
    : predictionFromProto(reader.protobuf(PredictionSchema, value));
}

/** The JSON form, keys in the interface's order (optional ones only when present). */
export function predictionToJson(msg: PredictionMessage): PredictionJson {
  return {
    predictionId: msg.predictionId,
    model: msg.model,
    modelVersion: msg.modelVersion,
    alias: msg.alias,
    variant: msg.variant,
    ...(msg.experimentKey === undefined ? {} : { experimentKey: msg.experimentKey }),
    shadow: msg.shadow,
    entityId: msg.entityId,
    ...(msg.triggerEventId === undefined ? {} : { triggerEventId: msg.triggerEventId }),
    ...(msg.contentId === undefined ? {} : { contentId: msg.contentId }),
    asOfMs: msg.asOfMs,
    predictedAtMs: msg.predictedAtMs,
    score: numberToJson(msg.score),
    ...(msg.label === undefined ? {} : { label: msg.label }),
    classProbabilities: Object.fromEntries(
      Object.entries(msg.classProbabilities).map(([name, p]) => [name, numberToJson(p)]),
    ),
    riskTier: msg.riskTier,
    riskConfidence: numberToJson(msg.riskConfidence),
    topFactors: msg.topFactors.map((f) => ({
      feature: f.feature,
      value: numberToJson(f.value),
      contribution: numberToJson(f.contribution),
    })),
    inputs: msg.inputs.map((i) => ({
      name: i.name,
      value: numberToJson(i.value),
      stalenessMs: i.stalenessMs === null ? null : numberToJson(i.stalenessMs),
    })),
    fallback: msg.fallback,
    ...(msg.fallbackReason === undefined ? {} : { fallbackReason: msg.fallbackReason }),
    latencyMs: numberToJson(msg.latencyMs),
  };
}

export function predictionToProto(msg: PredictionMessage): PredictionProto {
  return create(PredictionSchema, {
    predictionId: msg.predictionId,
    model: msg.model,
    modelVersion: msg.modelVersion,
    alias: msg.alias,
    variant: msg.variant,
    experimentKey: msg.experimentKey,
    shadow: msg.shadow,
    entityId: msg.entityId,
    triggerEventId: msg.triggerEventId,
    contentId: msg.contentId,
    asOf: timestampFromMs(msg.asOfMs),
    predictedAt: timestampFromMs(msg.predictedAtMs),
    score: msg.score,
    label: msg.label,
    classProbabilities: { ...msg.classProbabilities },
    riskTier: TIER_TO_ENUM[msg.riskTier] ?? RiskTierEnum.UNSPECIFIED,
    riskConfidence: msg.riskConfidence,
    topFactors: msg.topFactors.map((f) =>
      create(PredictionFactorSchema, { feature: f.feature, value: f.value, contribution: f.contribution }),
    ),
    inputs: msg.inputs.map((i) =>
      create(PredictionInputSchema, {
        name: i.name,
        value: i.value,
        ...(i.stalenessMs === null ? {} : { stalenessMs: i.stalenessMs }),
      }),
    ),
    fallback: msg.fallback,
    fallbackReason: msg.fallbackReason,
    latencyMs: msg.latencyMs,
  });
}

/** Encodes for publishing (protobuf by default). Faithful, not checking: the consumer is where predictions are judged. */
export function encodePrediction(msg: PredictionMessage, format: MessageFormat = 'proto'): EncodedMessage {
  return format === 'json'
    ? { value: Buffer.from(JSON.stringify(predictionToJson(msg)), 'utf8'), contentType: ContentTypes.json }
    : { value: asBuffer(toBinary(PredictionSchema, predictionToProto(msg))), contentType: ContentTypes.protobuf };
}
