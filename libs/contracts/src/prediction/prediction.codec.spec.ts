import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import type { Prediction } from '../gen/pulse/v1/prediction_pb';
import { PredictionInputSchema, PredictionSchema, RiskTier as RiskTierEnum } from '../gen/pulse/v1/prediction_pb';
import { ContractMessageError } from '../training-request/contract-message.error';
import type { MessageFormat } from '../training-request/contract-message.reader';
import { nameBasedUuid } from './name-based-uuid';
import { PREDICTION_ID_NAMESPACE, predictionId } from './prediction-id';
import { decodePrediction, encodePrediction, predictionFromJson, predictionToJson } from './prediction.codec';
import type { PredictionMessage } from './prediction.types';
import { RISK_TIERS } from './prediction.types';

const T0 = Date.UTC(2024, 4, 1, 12);
const champion: PredictionMessage = {
  predictionId: predictionId('lesson_completion', 'evt-1', 'champion'),
  model: 'lesson_completion',
  modelVersion: 3,
  alias: 'champion',
  variant: 'treatment',
  experimentKey: 'send-time-2024-05',
  shadow: false,
  entityId: 'learner-7',
  triggerEventId: 'evt-1',
  contentId: 'lesson-42',
  asOfMs: T0,
  predictedAtMs: T0 + 35,
  score: 0.27,
  label: 'false',
  classProbabilities: { true: 0.27, false: 0.73 },
  riskTier: 'high',
  riskConfidence: 0.73,
  topFactors: [
    { feature: 'learner_behaviour.lesson_completion_rate', value: 0.2, contribution: -0.61 },
    { feature: 'temporal.hours_since_last_event', value: NaN, contribution: 0.12 },
  ],
  inputs: [
    { name: 'learner_behaviour.lesson_completion_rate', value: 0.2, stalenessMs: 3_600_000 },
    { name: 'temporal.hours_since_last_event', value: NaN, stalenessMs: null },
    { name: 'send_channel=slack', value: 1, stalenessMs: 0 },
  ],
  fallback: false,
  latencyMs: 4.25,
};
const fallback: PredictionMessage = {
  predictionId: predictionId('dropout_risk', 'evt-2', 'fallback'),
  model: 'dropout_risk',
  modelVersion: 0,
  alias: 'fallback',
  variant: 'fallback',
  shadow: false,
  entityId: 'learner-8',
  asOfMs: T0,
  predictedAtMs: T0 + 2,
  score: 0.5,
  classProbabilities: {},
  riskTier: 'medium',
  riskConfidence: 0,
  topFactors: [],
  inputs: [],
  fallback: true,
  fallbackReason: 'no champion',
  latencyMs: 0.5,
};
const FORMATS: MessageFormat[] = ['proto', 'json'];
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

function verdict(decode: () => unknown): string {
  try {
    decode();
    return 'ok';
  } catch (err) {
    if (!(err instanceof ContractMessageError)) throw err;
    return `${err.reason} ${err.field ?? ''}`.trim();
  }
}

function roundTrip(msg: PredictionMessage, format: MessageFormat): PredictionMessage {
  const encoded = encodePrediction(msg, format);
  return decodePrediction(encoded.value, encoded.contentType);
}

describe('prediction codec: round trips', () => {
  const messages: Array<[string, PredictionMessage]> = [
    ['a champion prediction with factors, NaN inputs and null staleness', champion],
    ['a fallback prediction (no version, empty factors and inputs)', fallback],
    ['a shadow prediction', { ...champion, alias: 'shadow', variant: 'shadow', shadow: true }],
    ['an HTTP prediction (no trigger, no content)', { ...champion, triggerEventId: undefined, contentId: undefined }],
  ];
  const cases = messages.flatMap(([label, msg]) =>
    FORMATS.map((f): [string, MessageFormat, PredictionMessage] => [label, f, msg]),
  );

  it.each(cases)('keeps %s through %s', (_label, format, msg) => {
    // toEqual treats NaN as equal to NaN; without undefined-valued keys, as decode builds it
    const expected = Object.fromEntries(Object.entries(msg).filter(([, v]) => v !== undefined));
    const decoded = roundTrip(msg, format);
    expect(decoded).toEqual(expected);
    expect(Object.keys(decoded).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(FORMATS)('keeps NaN and infinite input and factor values through %s', (format) => {
    const msg: PredictionMessage = {
      ...champion,
      inputs: [
        { name: 'a', value: NaN, stalenessMs: null },
        { name: 'b', value: Infinity, stalenessMs: 12.5 },
        { name: 'c', value: -Infinity, stalenessMs: 0 },
      ],
      topFactors: [{ feature: 'a', value: NaN, contribution: 0.5 }],
    };
    const decoded = roundTrip(msg, format);
    expect(decoded.inputs).toEqual(msg.inputs);
    expect(Number.isNaN(decoded.inputs[0].value)).toBe(true);
    expect(decoded.inputs[0].stalenessMs).toBeNull();
    expect(Number.isNaN(decoded.topFactors[0].value)).toBe(true);
  });

  it('writes NaN as "NaN" and a missing staleness as null in JSON, with the TypeScript field names', () => {
    const text = encodePrediction(champion, 'json').value.toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
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
      'latencyMs',
    ]);
    expect(parsed.inputs).toEqual([
      { name: 'learner_behaviour.lesson_completion_rate', value: 0.2, stalenessMs: 3_600_000 },
      { name: 'temporal.hours_since_last_event', value: 'NaN', stalenessMs: null },
      { name: 'send_channel=slack', value: 1, stalenessMs: 0 },
    ]);
    expect(JSON.parse(encodePrediction(fallback, 'json').value.toString('utf8'))).toMatchObject({
      fallback: true,
      fallbackReason: 'no champion',
      topFactors: [],
      inputs: [],
    });
    expect(encodePrediction(champion, 'json').contentType).toBe('application/json');
    expect(encodePrediction(champion).contentType).toBe('application/x-protobuf');
  });

  it('writes protobuf that the generated schema reads directly', () => {
    const pb = fromBinary(PredictionSchema, encodePrediction(champion).value);
    expect(pb).toMatchObject({
      predictionId: champion.predictionId,
      model: 'lesson_completion',
      modelVersion: 3,
      alias: 'champion',
      variant: 'treatment',
      experimentKey: 'send-time-2024-05',
      shadow: false,
      entityId: 'learner-7',
      triggerEventId: 'evt-1',
      contentId: 'lesson-42',
      score: 0.27,
      label: 'false',
      classProbabilities: { true: 0.27, false: 0.73 },
      riskTier: RiskTierEnum.HIGH,
      riskConfidence: 0.73,
      fallback: false,
      latencyMs: 4.25,
    });
    expect(timestampMs(pb.asOf!)).toBe(T0);
    expect(timestampMs(pb.predictedAt!)).toBe(T0 + 35);
    expect(pb.inputs.map((i) => [i.name, i.stalenessMs])).toEqual([
      ['learner_behaviour.lesson_completion_rate', 3_600_000],
      ['temporal.hours_since_last_event', undefined],
      ['send_channel=slack', 0],
    ]);
    expect(pb.topFactors[0]).toMatchObject({
      feature: 'learner_behaviour.lesson_completion_rate',
      contribution: -0.61,
    });
    expect(fromBinary(PredictionSchema, encodePrediction(fallback).value).fallbackReason).toBe('no champion');
  });

  it('round-trips any valid prediction in both formats', () => {
    // "__proto__" matches too, and is refused as a map key: not a round trip
    const id = fc.stringMatching(/^[a-z0-9_.=-]{1,40}$/).filter((k) => k !== '__proto__');
    const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
    // -0 does not survive JSON, and is no value anyone sends.
    const double = fc.double().filter((x) => !Object.is(x, -0));
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
    const unit = fc.double({ min: 0, max: 1, noNaN: true }).filter((x) => !Object.is(x, -0));
    const nonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
    const prediction = fc
      .record({
        predictionId: fc.uuid(),
        model: fc.stringMatching(/^[a-z_]{1,30}$/),
        modelVersion: fc.integer({ min: 1, max: 10_000 }),
        alias: id,
        variant: id,
        experimentKey: fc.option(id, { nil: undefined }),
        shadow: fc.boolean(),
        entityId: id,
        triggerEventId: fc.option(id, { nil: undefined }),
        contentId: fc.option(id, { nil: undefined }),
        asOfMs: time,
        predictedAtMs: time,
        score: finite,
        label: fc.option(id, { nil: undefined }),
        classProbabilities: fc.dictionary(id, unit),
        riskTier: fc.constantFrom(...RISK_TIERS),
        riskConfidence: unit,
        topFactors: fc.array(fc.record({ feature: id, value: double, contribution: finite }), { maxLength: 5 }),
        inputs: fc.uniqueArray(
          fc.record({ name: id, value: double, stalenessMs: fc.option(nonNegative, { nil: null }) }),
          { selector: (i) => i.name, maxLength: 8 },
        ),
        fallback: fc.boolean(),
        fallbackReason: fc.option(
          fc.string({ minLength: 1 }).filter((s) => !s.includes('\u0000')),
          {
            nil: undefined,
          },
        ),
        latencyMs: nonNegative,
      })
      .map((p): PredictionMessage => {
        const withReason = p.fallback && p.fallbackReason === undefined ? { ...p, fallbackReason: 'no champion' } : p;
        return Object.fromEntries(
          Object.entries(withReason).filter(([, v]) => v !== undefined),
        ) as unknown as PredictionMessage;
      });
    fc.assert(
      fc.property(prediction, fc.constantFrom(...FORMATS), (msg, format) => {
        expect(roundTrip(msg, format)).toEqual(msg);
      }),
    );
  });
});

describe('prediction codec: the same verdict in both formats', () => {
  const cases: Array<[string, Partial<Record<keyof PredictionMessage, unknown>>, string]> = [
    ['a valid prediction', {}, 'ok'],
    ['no predictionId', { predictionId: '' }, 'missing_field predictionId'],
    ['a model name with a slash', { model: 'a/b' }, 'invalid_value model'],
    ['version 0 without the fallback', { modelVersion: 0 }, 'invalid_value modelVersion'],
    ['a negative version', { modelVersion: -1 }, 'invalid_value modelVersion'],
    ['no alias', { alias: '' }, 'missing_field alias'],
    ['no variant', { variant: '' }, 'missing_field variant'],
    ['no entityId', { entityId: '' }, 'missing_field entityId'],
    ['an over-long triggerEventId', { triggerEventId: 't'.repeat(257) }, 'invalid_value triggerEventId'],
    ['a NaN score', { score: NaN }, 'invalid_value score'],
    ['an infinite score', { score: Infinity }, 'invalid_value score'],
    ['a class probability above 1', { classProbabilities: { true: 1.2 } }, 'invalid_value classProbabilities.true'],
    ['a NaN class probability', { classProbabilities: { high: NaN } }, 'invalid_value classProbabilities.high'],
    [
      'a class named "__proto__"',
      { classProbabilities: JSON.parse('{"__proto__": 0.5}') as Record<string, number> },
      'invalid_value classProbabilities',
    ],
    ['a risk confidence below 0', { riskConfidence: -0.1 }, 'invalid_value riskConfidence'],
    ['a NaN risk confidence', { riskConfidence: NaN }, 'invalid_value riskConfidence'],
    [
      'a factor without a feature',
      { topFactors: [{ feature: '', value: 1, contribution: 0.1 }] },
      'missing_field topFactors[0].feature',
    ],
    [
      'a NaN contribution',
      { topFactors: [champion.topFactors[0], { feature: 'x', value: 1, contribution: NaN }] },
      'invalid_value topFactors[1].contribution',
    ],
    ['an input listed twice', { inputs: [champion.inputs[0], champion.inputs[0]] }, 'invalid_value inputs[1].name'],
    ['an input without a name', { inputs: [{ name: '', value: 1, stalenessMs: 0 }] }, 'missing_field inputs[0].name'],
    [
      'a negative staleness',
      { inputs: [{ name: 'a', value: 1, stalenessMs: -5 }] },
      'invalid_value inputs[0].stalenessMs',
    ],
    [
      'an infinite staleness',
      { inputs: [{ name: 'a', value: 1, stalenessMs: Infinity }] },
      'invalid_value inputs[0].stalenessMs',
    ],
    ['the fallback without a reason', { fallback: true, modelVersion: 0 }, 'missing_field fallbackReason'],
    ['the fallback with a reason', { fallback: true, modelVersion: 0, fallbackReason: 'no champion' }, 'ok'],
    ['a NUL in the fallback reason', { fallbackReason: 'x\u0000' }, 'invalid_value fallbackReason'],
    ['a negative latency', { latencyMs: -1 }, 'invalid_value latencyMs'],
    ['a NaN latency', { latencyMs: NaN }, 'invalid_value latencyMs'],
  ];
  it.each(cases)('%s', (_label, change, expected) => {
    const msg = { ...champion, ...change } as PredictionMessage;
    for (const format of FORMATS) {
      const encoded = encodePrediction(msg, format);
      expect([format, verdict(() => decodePrediction(encoded.value, encoded.contentType))]).toEqual([format, expected]);
    }
  });

  it('names the field in the error', () => {
    for (const format of FORMATS) {
      const encoded = encodePrediction({ ...champion, riskConfidence: 1.5 }, format);
      expect(() => decodePrediction(encoded.value, encoded.contentType)).toThrow(
        new ContractMessageError(
          'Prediction',
          'invalid_value',
          'riskConfidence must be from 0 to 1, got 1.5',
          'riskConfidence',
        ),
      );
    }
  });
});

describe('prediction codec: JSON specifics', () => {
  const base = predictionToJson(champion) as unknown as Record<string, unknown>;

  it('reads RFC 3339 times, an absent staleness as null, and absent flags and lists as false and empty', () => {
    const {
      shadow: _shadow,
      fallback: _fallback,
      topFactors: _factors,
      classProbabilities: _probabilities,
      ...rest
    } = base;
    const decoded = predictionFromJson({
      ...rest,
      asOfMs: '2024-05-01T14:00:00+02:00',
      inputs: [{ name: 'a', value: 'NaN' }],
    });
    expect(decoded).toMatchObject({
      asOfMs: T0,
      shadow: false,
      fallback: false,
      topFactors: [],
      classProbabilities: {},
      inputs: [{ name: 'a', value: NaN, stalenessMs: null }],
    });
  });

  const cases: Array<[string, unknown, string]> = [
    ['a misspelt field', { ...base, asOf: T0 }, 'unknown_field asOf'],
    ['a removed proto field', { ...base, features: {} }, 'unknown_field features'],
    ['a "__proto__" key', JSON.parse(`{"__proto__": 1, ${JSON.stringify(base).slice(1)}`), 'unknown_field __proto__'],
    [
      'an unknown key in an input',
      { ...base, inputs: [{ name: 'a', value: 1, stale: 0 }] },
      'unknown_field inputs[0].stale',
    ],
    [
      'an unknown key in a factor',
      { ...base, topFactors: [{ feature: 'a', value: 1, contribution: 0, shap: 1 }] },
      'unknown_field topFactors[0].shap',
    ],
    ['no score', { ...base, score: undefined }, 'missing_field score'],
    ['a score as text', { ...base, score: '0.5' }, 'wrong_type score'],
    ['no risk confidence', { ...base, riskConfidence: null }, 'missing_field riskConfidence'],
    ['no latency', { ...base, latencyMs: undefined }, 'missing_field latencyMs'],
    ['no risk tier', { ...base, riskTier: undefined }, 'missing_field riskTier'],
    ['an upper-case risk tier', { ...base, riskTier: 'HIGH' }, 'invalid_value riskTier'],
    ['an unknown risk tier', { ...base, riskTier: 'extreme' }, 'invalid_value riskTier'],
    ['inputs as an object', { ...base, inputs: { a: 1 } }, 'wrong_type inputs'],
    ['an input that is a number', { ...base, inputs: [1] }, 'wrong_type inputs[0]'],
    ['an input without a value', { ...base, inputs: [{ name: 'a', stalenessMs: 0 }] }, 'missing_field inputs[0].value'],
    [
      'a staleness as text',
      { ...base, inputs: [{ name: 'a', value: 1, stalenessMs: '5' }] },
      'wrong_type inputs[0].stalenessMs',
    ],
    ['shadow as a string', { ...base, shadow: 'no' }, 'wrong_type shadow'],
    ['a fractional version', { ...base, modelVersion: 1.5 }, 'invalid_value modelVersion'],
    ['no asOfMs', { ...base, asOfMs: undefined }, 'missing_field asOfMs'],
    ['a free-text predictedAtMs', { ...base, predictedAtMs: 'now' }, 'invalid_value predictedAtMs'],
    ['an array instead of an object', [base], 'wrong_type'],
  ];
  it.each(cases)('rejects %s', (_label, obj, expected) => {
    expect(verdict(() => decodePrediction(json(obj), 'application/json'))).toBe(expected);
  });

  it('refuses bytes that are not JSON or not UTF-8', () => {
    expect(verdict(() => decodePrediction(Buffer.from('{"predictionId": '), 'application/json'))).toBe('undecodable');
    expect(verdict(() => decodePrediction(Buffer.from([0x7b, 0xff, 0x7d]), 'application/json'))).toBe('undecodable');
  });
});

describe('prediction codec: protobuf specifics', () => {
  type Fields = Partial<Omit<Prediction, '$typeName'>>;
  const fields = (): Fields => ({
    predictionId: 'p-1',
    model: 'lesson_completion',
    modelVersion: 2,
    alias: 'champion',
    variant: 'champion',
    entityId: 'learner-1',
    asOf: timestampFromMs(T0),
    predictedAt: timestampFromMs(T0),
    riskTier: RiskTierEnum.LOW,
  });
  const encode = (change: Fields) => toBinary(PredictionSchema, create(PredictionSchema, { ...fields(), ...change }));

  it('reads a minimal message with proto3 defaults', () => {
    expect(decodePrediction(encode({}))).toStrictEqual({
      predictionId: 'p-1',
      model: 'lesson_completion',
      modelVersion: 2,
      alias: 'champion',
      variant: 'champion',
      shadow: false,
      entityId: 'learner-1',
      asOfMs: T0,
      predictedAtMs: T0,
      score: 0,
      classProbabilities: {},
      riskTier: 'low',
      riskConfidence: 0,
      topFactors: [],
      inputs: [],
      fallback: false,
      latencyMs: 0,
    });
  });

  it('reads an input without staleness as null', () => {
    const decoded = decodePrediction(encode({ inputs: [create(PredictionInputSchema, { name: 'a', value: NaN })] }));
    expect(decoded.inputs).toEqual([{ name: 'a', value: NaN, stalenessMs: null }]);
  });

  it('reports UNSPECIFIED as missing and a tier number it does not know', () => {
    expect(verdict(() => decodePrediction(encode({ riskTier: RiskTierEnum.UNSPECIFIED })))).toBe(
      'missing_field riskTier',
    );
    expect(() => decodePrediction(encode({ riskTier: 9 as RiskTierEnum }))).toThrow(
      "Prediction: riskTier must be one of high, medium, low; got '9'",
    );
  });

  it('rejects missing times, undecodable bytes and an unsupported content type', () => {
    expect(verdict(() => decodePrediction(encode({ asOf: undefined })))).toBe('missing_field asOfMs');
    expect(verdict(() => decodePrediction(encode({ predictedAt: undefined })))).toBe('missing_field predictedAtMs');
    expect(verdict(() => decodePrediction(Buffer.from([0x0a, 0x09, 0x65]), 'application/x-protobuf'))).toBe(
      'undecodable',
    );
    expect(verdict(() => decodePrediction(encode({}), 'text/plain'))).toBe('undecodable');
  });

  it('takes the format from the content type, and sniffs it without one', () => {
    expect(decodePrediction(encodePrediction(champion, 'json').value).predictionId).toBe(champion.predictionId);
    expect(decodePrediction(encodePrediction(champion, 'proto').value).predictionId).toBe(champion.predictionId);
    expect(decodePrediction(encodePrediction(champion, 'json').value, 'application/json; charset=utf-8').entityId).toBe(
      'learner-7',
    );
  });
});

describe('predictionId', () => {
  it('is a version 5 UUID, equal for equal inputs', () => {
    const id = predictionId('lesson_completion', 'evt-1', 'champion');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(predictionId('lesson_completion', 'evt-1', 'champion')).toBe(id);
    expect(id).toBe(nameBasedUuid(PREDICTION_ID_NAMESPACE, 'lesson_completion\u0000evt-1\u0000champion'));
  });

  it('differs when the alias, the trigger or the model differs', () => {
    const ids = new Set([
      predictionId('lesson_completion', 'evt-1', 'champion'),
      predictionId('lesson_completion', 'evt-1', 'challenger'),
      predictionId('lesson_completion', 'evt-1', 'shadow'),
      predictionId('lesson_completion', 'evt-2', 'champion'),
      predictionId('dropout_risk', 'evt-1', 'champion'),
      // the separator keeps the parts apart
      predictionId('lesson_completion', 'evt-1c', 'hampion'),
    ]);
    expect(ids.size).toBe(6);
  });

  it('refuses empty parts and NULs, naming the argument', () => {
    expect(() => predictionId('', 'evt-1', 'champion')).toThrow(
      new TypeError('model must be a non-empty string, got ""'),
    );
    expect(() => predictionId('m', undefined as unknown as string, 'champion')).toThrow(/^triggerEventId must be/);
    expect(() => predictionId('m', 'e', 'a\u0000b')).toThrow(RangeError);
  });
});

describe('nameBasedUuid', () => {
  it("matches RFC 4122's version 5 (Python's uuid.uuid5)", () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => nameBasedUuid('pulse', 'x')).toThrow(TypeError);
    expect(() => nameBasedUuid('pulse', 'x')).toThrow(/^namespace must be a UUID/);
  });
});
