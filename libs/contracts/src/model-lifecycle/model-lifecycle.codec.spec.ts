import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import type { ModelLifecycleEvent } from '../gen/pulse/v1/model_lifecycle_pb';
import {
  ModelLifecycleEventSchema,
  ModelLifecycleEventType as TypeEnum,
  ModelStage,
} from '../gen/pulse/v1/model_lifecycle_pb';
import { ContractMessageError } from '../training-request/contract-message.error';
import type { MessageFormat } from '../training-request/contract-message.reader';
import type { ModelLifecycleMessage } from './model-lifecycle.codec';
import {
  decodeModelLifecycle,
  encodeModelLifecycle,
  MODEL_LIFECYCLE_TYPES,
  modelLifecycleFromJson,
} from './model-lifecycle.codec';

const T0 = Date.UTC(2024, 4, 1, 12);
const SHA = 'ab'.repeat(32);
const registered: ModelLifecycleMessage = {
  eventId: 'evt-1',
  model: 'lesson_completion',
  type: 'registered',
  version: 3,
  occurredAtMs: T0,
  trainingRequestId: 'req-1',
  jobId: 'job-9',
  metrics: { auc: 0.81, accuracy: 0.77, logloss: 0.43 },
  artifactSha256: SHA,
  featureNames: ['learner_behaviour.lesson_completion_rate', 'temporal.hours_since_last_event'],
  featureViewVersions: { learner_behaviour: 2, temporal: 1 },
  message: 'all gates passed',
  actor: 'training-service',
  gatesPassed: true,
};
const aliasMoved: ModelLifecycleMessage = {
  eventId: 'evt-2',
  model: 'lesson_completion',
  type: 'alias_moved',
  version: 3,
  occurredAtMs: T0 + 1000,
  metrics: {},
  featureNames: [],
  featureViewVersions: {},
  message: '',
  alias: 'champion',
  fromVersion: 2,
  toVersion: 3,
  actor: 'alice',
  gatesPassed: true,
};
const started: ModelLifecycleMessage = {
  eventId: 'evt-3',
  model: 'dropout_risk',
  type: 'training_started',
  version: 0,
  occurredAtMs: T0,
  metrics: {},
  featureNames: [],
  featureViewVersions: {},
  message: '',
};
const refused: ModelLifecycleMessage = {
  eventId: 'evt-4',
  model: 'lesson_completion',
  type: 'version_refused',
  version: 4,
  occurredAtMs: T0 + 2000,
  metrics: {},
  artifactSha256: SHA,
  featureNames: [],
  featureViewVersions: {},
  message: 'artifact digest: sha256 of the downloaded file is ' + 'cd'.repeat(32) + ', the registry says ' + SHA,
  alias: 'champion',
  actor: 'inference-service',
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

describe('model lifecycle codec: round trips', () => {
  const messages: Array<[string, ModelLifecycleMessage]> = [
    ['registered', registered],
    ['alias_moved', aliasMoved],
    ['alias_moved (alias deleted)', { ...aliasMoved, toVersion: undefined } as ModelLifecycleMessage],
    ['training_started', started],
    ['training_failed', { ...started, type: 'training_failed', message: 'no labelled examples' }],
    ['gate_failed', { ...registered, type: 'gate_failed', gatesPassed: false, message: 'auc 0.61 <= 0.70' }],
    ['version_refused', refused],
  ];
  const cases = messages.flatMap(([label, msg]) =>
    FORMATS.map((f): [string, MessageFormat, ModelLifecycleMessage] => [label, f, msg]),
  );

  it.each(cases)('keeps %s through %s', (_label, format, msg) => {
    const expected = JSON.parse(JSON.stringify(msg)) as ModelLifecycleMessage; // without undefined-valued keys
    const encoded = encodeModelLifecycle(msg, format);
    const decoded = decodeModelLifecycle(encoded.value, encoded.contentType);
    expect(decoded).toStrictEqual(expected);
  });

  it.each(FORMATS)('keeps non-finite metrics through %s', (format) => {
    const msg = { ...registered, metrics: { auc: NaN, logloss: Infinity, margin: -Infinity } };
    const encoded = encodeModelLifecycle(msg, format);
    expect(decodeModelLifecycle(encoded.value, encoded.contentType).metrics).toEqual(msg.metrics);
  });

  it('round-trips any valid event in both formats', () => {
    // "__proto__" matches too, and is refused as a map key (a spec below): not a round trip
    const id = fc.stringMatching(/^[a-z0-9_.-]{1,40}$/).filter((k) => k !== '__proto__');
    const version = fc.integer({ min: 1, max: 10_000 });
    const event = fc
      .record({
        eventId: id,
        model: fc.stringMatching(/^[a-z_]{1,30}$/),
        type: fc.constantFrom(...MODEL_LIFECYCLE_TYPES),
        version,
        occurredAtMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        trainingRequestId: fc.option(id, { nil: undefined }),
        jobId: fc.option(id, { nil: undefined }),
        // NaN survives both formats; -0 does not survive JSON, and is no metric value anyone sends.
        metrics: fc.dictionary(
          id,
          fc.double({ noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
        ),
        artifactSha256: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: undefined }),
        featureNames: fc.uniqueArray(id),
        featureViewVersions: fc.dictionary(id, version),
        message: fc.string(),
        alias: id,
        fromVersion: fc.option(version, { nil: undefined }),
        toVersion: version,
        actor: fc.option(id, { nil: undefined }),
        gatesPassed: fc.option(fc.boolean(), { nil: undefined }),
      })
      // a refused version always says which check failed
      .map((e): ModelLifecycleMessage => (e.type === 'version_refused' ? { ...e, message: `check: ${e.message}` } : e));
    fc.assert(
      fc.property(event, fc.constantFrom(...FORMATS), (msg, format) => {
        const encoded = encodeModelLifecycle(msg, format);
        expect(decodeModelLifecycle(encoded.value, encoded.contentType)).toEqual(msg);
      }),
    );
  });

  it('writes protobuf that the generated schema reads directly', () => {
    const pb = fromBinary(ModelLifecycleEventSchema, encodeModelLifecycle(aliasMoved, 'proto').value);
    expect(pb.type).toBe(TypeEnum.ALIAS_MOVED);
    expect(pb.alias).toBe('champion');
    expect(pb.fromVersion).toBe(2);
    expect(pb.toVersion).toBe(3);
    expect(pb.actor).toBe('alice');
    expect(pb.gatesPassed).toBe(true);
    expect(timestampMs(pb.occurredAt!)).toBe(T0 + 1000);
    const reg = fromBinary(ModelLifecycleEventSchema, encodeModelLifecycle(registered).value);
    expect(reg).toMatchObject({
      eventId: 'evt-1',
      model: 'lesson_completion',
      type: TypeEnum.REGISTERED,
      version: 3,
      trainingRequestId: 'req-1',
      jobId: 'job-9',
      metrics: { auc: 0.81, accuracy: 0.77, logloss: 0.43 },
      artifactSha256: SHA,
      featureNames: registered.featureNames,
      featureViewVersions: { learner_behaviour: 2, temporal: 1 },
      message: 'all gates passed',
      stage: ModelStage.UNSPECIFIED,
    });
    expect([reg.fromVersion, reg.toVersion, reg.alias]).toEqual([undefined, undefined, '']);
    const refusal = fromBinary(ModelLifecycleEventSchema, encodeModelLifecycle(refused).value);
    expect(refusal).toMatchObject({ type: TypeEnum.VERSION_REFUSED, version: 4, alias: 'champion' });
    expect(refusal.type).toBe(7);
  });

  it('writes JSON with the TypeScript field names', () => {
    expect(JSON.parse(encodeModelLifecycle(registered, 'json').value.toString('utf8'))).toEqual(registered);
    expect(encodeModelLifecycle(registered, 'json').contentType).toBe('application/json');
    expect(encodeModelLifecycle(registered).contentType).toBe('application/x-protobuf');
  });
});

describe('model lifecycle codec: the same verdict in both formats', () => {
  const cases: Array<[string, Partial<Record<keyof ModelLifecycleMessage, unknown>>, string]> = [
    ['a valid event', {}, 'ok'],
    ['no eventId', { eventId: '' }, 'missing_field eventId'],
    ['an empty model', { model: '' }, 'missing_field model'],
    ['a model name with a slash', { model: 'a/b' }, 'invalid_value model'],
    ['a negative version', { version: -1 }, 'invalid_value version'],
    ['a registered event without a version', { version: 0 }, 'invalid_value version'],
    ['an empty trainingRequestId (absent)', { trainingRequestId: '' }, 'ok'],
    ['an over-long jobId', { jobId: 'j'.repeat(257) }, 'invalid_value jobId'],
    ['an upper-case digest', { artifactSha256: SHA.toUpperCase() }, 'invalid_value artifactSha256'],
    ['a short digest', { artifactSha256: 'abc' }, 'invalid_value artifactSha256'],
    ['a feature listed twice', { featureNames: ['a', 'b', 'a'] }, 'invalid_value featureNames[2]'],
    ['an empty feature name', { featureNames: ['a', ''] }, 'missing_field featureNames[1]'],
    [
      'a feature view version 0',
      { featureViewVersions: { temporal: 0 } },
      'invalid_value featureViewVersions.temporal',
    ],
    ['a NUL in the message', { message: 'oops\u0000' }, 'invalid_value message'],
    ['an alias move without an alias', { type: 'alias_moved', alias: undefined }, 'missing_field alias'],
    [
      'an alias move with neither version',
      { type: 'alias_moved', alias: 'champion', fromVersion: undefined, toVersion: undefined },
      'missing_field toVersion',
    ],
    ['an alias move to version 0', { type: 'alias_moved', alias: 'champion', toVersion: 0 }, 'invalid_value toVersion'],
    ['a new alias (no fromVersion)', { type: 'alias_moved', alias: 'challenger', toVersion: 4 }, 'ok'],
    ['a deleted alias (no toVersion)', { type: 'alias_moved', alias: 'challenger', fromVersion: 4 }, 'ok'],
    ['a refused version without an alias', { ...refused, alias: undefined }, 'missing_field alias'],
    ['a refused version without a message', { ...refused, message: ' ' }, 'missing_field message'],
    ['a refused version 0', { ...refused, version: 0 }, 'invalid_value version'],
    ['a refused version', refused, 'ok'],
    [
      'a view named "__proto__"',
      { featureViewVersions: JSON.parse('{"__proto__": 1}') as Record<string, number> },
      'invalid_value featureViewVersions',
    ],
  ];
  it.each(cases)('%s', (_label, change, expected) => {
    const msg = { ...registered, ...change } as ModelLifecycleMessage;
    for (const format of FORMATS) {
      const encoded = encodeModelLifecycle(msg, format);
      expect([format, verdict(() => decodeModelLifecycle(encoded.value, encoded.contentType))]).toEqual([
        format,
        expected,
      ]);
    }
  });

  it('names the field in the message', () => {
    for (const format of FORMATS) {
      const encoded = encodeModelLifecycle({ ...aliasMoved, alias: undefined }, format);
      expect(() => decodeModelLifecycle(encoded.value, encoded.contentType)).toThrow(
        new ContractMessageError(
          'ModelLifecycleEvent',
          'missing_field',
          'alias is required for an alias_moved event',
          'alias',
        ),
      );
    }
  });
});

describe('model lifecycle codec: JSON specifics', () => {
  const base = JSON.parse(JSON.stringify(registered)) as Record<string, unknown>;

  it('reads RFC 3339 times, null optional fields and a missing version as 0', () => {
    const decoded = modelLifecycleFromJson({
      ...JSON.parse(JSON.stringify(started)),
      occurredAtMs: '2024-05-01T14:00:00+02:00',
      version: null,
      toVersion: null,
      jobId: null,
    });
    expect(decoded).toStrictEqual(started);
    expect(modelLifecycleFromJson({ ...JSON.parse(JSON.stringify(started)), version: undefined }).version).toBe(0);
  });

  const cases: Array<[string, unknown, string]> = [
    ['a misspelt field', { ...base, occurredAt: T0 }, 'unknown_field occurredAt'],
    ['a proto-only field', { ...base, stage: 'production' }, 'unknown_field stage'],
    ['stage_changed', { ...base, type: 'stage_changed' }, 'invalid_value type'],
    ['a numeric type', { ...base, type: 3 }, 'invalid_value type'],
    ['no type', { ...base, type: undefined }, 'missing_field type'],
    ['a version as a string', { ...base, version: '3' }, 'wrong_type version'],
    ['a fractional version', { ...base, version: 1.5 }, 'invalid_value version'],
    ['a version beyond int32', { ...base, version: 2 ** 31 }, 'invalid_value version'],
    ['no occurredAtMs', { ...base, occurredAtMs: undefined }, 'missing_field occurredAtMs'],
    ['a free-text occurredAtMs', { ...base, occurredAtMs: 'now' }, 'invalid_value occurredAtMs'],
    ['a metric as a string', { ...base, metrics: { auc: '0.8' } }, 'wrong_type metrics.auc'],
    ['a null metric', { ...base, metrics: { auc: null } }, 'missing_field metrics.auc'],
    ['metrics as an array', { ...base, metrics: [0.8] }, 'wrong_type metrics'],
    ['featureNames as a string', { ...base, featureNames: 'a,b' }, 'wrong_type featureNames'],
    ['a numeric feature name', { ...base, featureNames: ['a', 7] }, 'wrong_type featureNames[1]'],
    ['a fractional view version', { ...base, featureViewVersions: { t: 1.5 } }, 'invalid_value featureViewVersions.t'],
    ['gatesPassed as a string', { ...base, gatesPassed: 'yes' }, 'wrong_type gatesPassed'],
    ['a numeric actor', { ...base, actor: 1 }, 'wrong_type actor'],
    ['a lone surrogate in the alias', { ...base, alias: 'x\udc00' }, 'invalid_value alias'],
    ['a string instead of an object', 'registered', 'wrong_type'],
  ];
  it.each(cases)('rejects %s', (_label, obj, expected) => {
    expect(verdict(() => decodeModelLifecycle(json(obj), 'application/json'))).toBe(expected);
  });
});

describe('model lifecycle codec: protobuf specifics', () => {
  type Fields = Partial<Omit<ModelLifecycleEvent, '$typeName'>>;
  const fields = (): Fields => ({
    eventId: 'evt-1',
    model: 'lesson_completion',
    type: TypeEnum.REGISTERED,
    version: 3,
    occurredAt: timestampFromMs(T0),
  });
  const encode = (change: Fields) =>
    toBinary(ModelLifecycleEventSchema, create(ModelLifecycleEventSchema, { ...fields(), ...change }));

  it('reads the proto fields the TypeScript shape does not carry without complaint', () => {
    const decoded = decodeModelLifecycle(
      encode({ stage: ModelStage.PRODUCTION, previousStage: ModelStage.STAGING, artifactUri: 's3://m/3.onnx' }),
    );
    expect(decoded).toStrictEqual({
      ...started,
      eventId: 'evt-1',
      model: 'lesson_completion',
      type: 'registered',
      version: 3,
    });
  });

  it('reports UNSPECIFIED as missing, and names STAGE_CHANGED and numbers it does not know', () => {
    expect(verdict(() => decodeModelLifecycle(encode({ type: TypeEnum.UNSPECIFIED })))).toBe('missing_field type');
    expect(() => decodeModelLifecycle(encode({ type: TypeEnum.STAGE_CHANGED }))).toThrow(
      "ModelLifecycleEvent: type must be one of training_started, training_failed, registered, gate_failed, alias_moved, version_refused; got 'stage_changed'",
    );
    expect(() => decodeModelLifecycle(encode({ type: 42 as TypeEnum }))).toThrow(/got '42'$/);
  });

  it('rejects a missing time and undecodable bytes', () => {
    expect(verdict(() => decodeModelLifecycle(encode({ occurredAt: undefined })))).toBe('missing_field occurredAtMs');
    expect(verdict(() => decodeModelLifecycle(Buffer.from([0x0a, 0x09, 0x65]), 'application/x-protobuf'))).toBe(
      'undecodable',
    );
    expect(verdict(() => decodeModelLifecycle(encode({}), 'text/plain'))).toBe('undecodable');
  });
});
