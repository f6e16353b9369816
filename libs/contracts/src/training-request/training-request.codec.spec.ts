import type { MessageInitShape } from '@bufbuild/protobuf';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { deadLetterFor } from '../dead-letter/dead-letter.codec';
import { TrainingRequestSchema, TrainingTrigger as TriggerEnum } from '../gen/pulse/v1/training_request_pb';
import { ContractMessageError } from './contract-message.error';
import type { MessageFormat } from './contract-message.reader';
import type { TrainingRequestMessage } from './training-request.codec';
import {
  decodeTrainingRequest,
  encodeTrainingRequest,
  TRAINING_TRIGGERS,
  trainingRequestFromJson,
} from './training-request.codec';

const T0 = Date.UTC(2024, 4, 1, 12);
const full: TrainingRequestMessage = {
  requestId: 'req-1',
  model: 'lesson_completion',
  trigger: 'drift',
  reason: 'PSI 0.31 on learner_behaviour.lesson_completion_rate',
  requestedAtMs: T0,
  trainFromMs: T0 - 28 * 86_400_000,
  trainUntilMs: T0 - 86_400_000,
  parameters: { max_depth: '6', learning_rate: '0.1' },
  requestedBy: 'monitoring-service',
  alertId: 'alert-7',
};
const minimal: TrainingRequestMessage = {
  requestId: 'req-2',
  model: 'dropout_risk',
  trigger: 'manual',
  reason: '',
  requestedAtMs: T0,
  parameters: {},
  requestedBy: 'alice',
};
const FORMATS: MessageFormat[] = ['proto', 'json'];
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

/** "ok", or the error's reason and field, e.g. "missing_field requestId". */
function verdict(decode: () => unknown): string {
  try {
    decode();
    return 'ok';
  } catch (err) {
    if (!(err instanceof ContractMessageError)) throw err;
    return `${err.reason} ${err.field ?? ''}`.trim();
  }
}

describe('training request codec: round trips', () => {
  it.each(FORMATS)('keeps a full request through %s', (format) => {
    const encoded = encodeTrainingRequest(full, format);
    expect(Buffer.isBuffer(encoded.value)).toBe(true);
    expect(decodeTrainingRequest(encoded.value, encoded.contentType)).toEqual(full);
  });

  it.each(FORMATS)('keeps a minimal request through %s, optional fields absent', (format) => {
    const encoded = encodeTrainingRequest(minimal, format);
    const decoded = decodeTrainingRequest(encoded.value, encoded.contentType);
    expect(decoded).toEqual(minimal);
    for (const key of ['trainFromMs', 'trainUntilMs', 'alertId']) expect(decoded).not.toHaveProperty(key);
  });

  it('says which content type it wrote, and protobuf is the default', () => {
    expect(encodeTrainingRequest(full).contentType).toBe('application/x-protobuf');
    expect(encodeTrainingRequest(full, 'json').contentType).toBe('application/json');
    expect(decodeTrainingRequest(encodeTrainingRequest(full).value)).toEqual(full);
  });

  it('round-trips any valid request in both formats', () => {
    const id = fc.stringMatching(/^[a-z0-9-]{1,40}$/);
    const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
    const request = fc
      .record({
        requestId: id,
        model: fc.stringMatching(/^[a-z_]{1,30}$/),
        trigger: fc.constantFrom(...TRAINING_TRIGGERS),
        reason: fc.string(),
        requestedAtMs: time,
        range: fc.option(fc.tuple(time, time), { nil: undefined }),
        parameters: fc.dictionary(id, fc.string()),
        requestedBy: id,
        alertId: fc.option(id, { nil: undefined }),
      })
      .map(({ range, alertId, ...rest }): TrainingRequestMessage => {
        const [a, b] = range ?? [0, 0];
        const spread = range !== undefined && a !== b;
        return {
          ...rest,
          ...(spread ? { trainFromMs: Math.min(a, b), trainUntilMs: Math.max(a, b) } : {}),
          ...(alertId === undefined ? {} : { alertId }),
        };
      });
    fc.assert(
      fc.property(request, fc.constantFrom(...FORMATS), (msg, format) => {
        const encoded = encodeTrainingRequest(msg, format);
        expect(decodeTrainingRequest(encoded.value, encoded.contentType)).toEqual(msg);
      }),
    );
  });

  it('writes protobuf that the generated schema reads directly', () => {
    const pb = fromBinary(TrainingRequestSchema, encodeTrainingRequest(full, 'proto').value);
    expect(pb.requestId).toBe('req-1');
    expect(pb.model).toBe('lesson_completion');
    expect(pb.trigger).toBe(TriggerEnum.DRIFT);
    expect(pb.reason).toBe(full.reason);
    expect(timestampMs(pb.requestedAt!)).toBe(T0);
    expect(timestampMs(pb.trainFrom!)).toBe(full.trainFromMs);
    expect(timestampMs(pb.trainUntil!)).toBe(full.trainUntilMs);
    expect(pb.parameters).toEqual({ max_depth: '6', learning_rate: '0.1' });
    expect(pb.requestedBy).toBe('monitoring-service');
    expect(pb.alertId).toBe('alert-7');
    const bare = fromBinary(TrainingRequestSchema, encodeTrainingRequest(minimal, 'proto').value);
    expect([bare.trainFrom, bare.trainUntil, bare.alertId]).toEqual([undefined, undefined, undefined]);
  });

  it('writes JSON with the TypeScript field names and times as epoch ms', () => {
    expect(JSON.parse(encodeTrainingRequest(full, 'json').value.toString('utf8'))).toEqual(full);
  });
});

describe('training request codec: JSON specifics', () => {
  const base = { ...full };

  it('reads RFC 3339 times', () => {
    const decoded = decodeTrainingRequest(
      json({
        ...base,
        requestedAtMs: '2024-05-01T12:00:00Z',
        trainFromMs: '2024-04-03T14:00:00+02:00',
        trainUntilMs: '2024-04-30T12:00:00.000Z',
      }),
      'application/json',
    );
    expect(decoded.requestedAtMs).toBe(T0);
    expect(decoded.trainFromMs).toBe(full.trainFromMs);
    expect(decoded.trainUntilMs).toBe(full.trainUntilMs);
  });

  it('takes numbers and booleans among the parameters as their text', () => {
    const decoded = trainingRequestFromJson({ ...base, parameters: { max_depth: 6, learning_rate: 0.1, early: true } });
    expect(decoded.parameters).toEqual({ max_depth: '6', learning_rate: '0.1', early: 'true' });
  });

  it('treats null optional fields as absent', () => {
    const decoded = trainingRequestFromJson({ ...base, trainFromMs: null, trainUntilMs: null, alertId: null });
    expect(decoded).toEqual(without(full, 'trainFromMs', 'trainUntilMs', 'alertId'));
  });

  it('ignores content-type parameters and case, and recognises JSON without a header', () => {
    expect(decodeTrainingRequest(json(base), 'Application/JSON; charset=utf-8')).toEqual(full);
    expect(decodeTrainingRequest(json(base))).toEqual(full);
  });

  const cases: Array<[string, unknown, string]> = [
    ['a misspelt field', { ...base, trainFrom: T0 }, 'unknown_field trainFrom'],
    ['a numeric requestId', { ...base, requestId: 42 }, 'wrong_type requestId'],
    ['an over-long requestId', { ...base, requestId: 'r'.repeat(257) }, 'invalid_value requestId'],
    ['a NUL in model', { ...base, model: 'a\u0000b' }, 'invalid_value model'],
    // protobuf cannot carry one (its encoder writes U+FFFD), JSON can.
    ['a lone surrogate in requestedBy', { ...base, requestedBy: 'bob\ud800' }, 'invalid_value requestedBy'],
    ['a trigger in upper case', { ...base, trigger: 'DRIFT' }, 'invalid_value trigger'],
    ['a numeric trigger', { ...base, trigger: 3 }, 'invalid_value trigger'],
    ['a boolean trigger', { ...base, trigger: true }, 'wrong_type trigger'],
    ['a numeric reason', { ...base, reason: 3 }, 'wrong_type reason'],
    ['a time without a zone', { ...base, requestedAtMs: '2024-05-01T12:00:00' }, 'invalid_value requestedAtMs'],
    ['a date that does not exist', { ...base, trainFromMs: '2024-02-30T00:00:00Z' }, 'invalid_value trainFromMs'],
    ['a free-text time', { ...base, trainUntilMs: 'yesterday' }, 'invalid_value trainUntilMs'],
    ['fractional epoch ms', { ...base, requestedAtMs: 1.5 }, 'invalid_value requestedAtMs'],
    ['a negative time', { ...base, requestedAtMs: -1 }, 'invalid_value requestedAtMs'],
    ['a boolean time', { ...base, requestedAtMs: true }, 'wrong_type requestedAtMs'],
    ['parameters as an array', { ...base, parameters: ['6'] }, 'wrong_type parameters'],
    ['a null parameter', { ...base, parameters: { max_depth: null } }, 'missing_field parameters.max_depth'],
    ['an object parameter', { ...base, parameters: { max_depth: { v: 6 } } }, 'wrong_type parameters.max_depth'],
    ['an empty parameter name', { ...base, parameters: { '': '6' } }, 'invalid_value parameters'],
    ['a numeric alertId', { ...base, alertId: 7 }, 'wrong_type alertId'],
    ['an array instead of an object', [base], 'wrong_type'],
  ];
  it.each(cases)('rejects %s', (_label, obj, expected) => {
    expect(verdict(() => decodeTrainingRequest(json(obj), 'application/json'))).toBe(expected);
    expect(verdict(() => trainingRequestFromJson(obj))).toBe(expected);
  });

  it('rejects bytes that are not JSON', () => {
    expect(verdict(() => decodeTrainingRequest(Buffer.from('{"requestId":'), 'application/json'))).toBe('undecodable');
  });
});

describe('training request codec: the same verdict in both formats', () => {
  const cases: Array<[string, Partial<Record<keyof TrainingRequestMessage, unknown>>, string]> = [
    ['a valid request', {}, 'ok'],
    ['no requestId', { requestId: '' }, 'missing_field requestId'],
    ['an empty model', { model: '' }, 'missing_field model'],
    ['a model name that cannot be a topic name', { model: 'lesson completion' }, 'invalid_value model'],
    ['an unknown trigger', { trigger: 'whim' }, 'missing_field trigger'],
    [
      'a training range that ends before it starts',
      { trainUntilMs: T0 - 30 * 86_400_000 },
      'invalid_value trainUntilMs',
    ],
    ['an empty training range', { trainUntilMs: full.trainFromMs }, 'invalid_value trainUntilMs'],
    ['no requestedBy', { requestedBy: '' }, 'missing_field requestedBy'],
    ['an over-long alertId', { alertId: 'a'.repeat(300) }, 'invalid_value alertId'],
    ['a NUL in a parameter value', { parameters: { max_depth: '6\u0000' } }, 'invalid_value parameters.max_depth'],
    ['only trainUntilMs', { trainFromMs: undefined }, 'ok'],
  ];
  it.each(cases)('%s', (_label, change, expected) => {
    const msg = { ...full, ...change } as TrainingRequestMessage;
    const fromProto = verdict(() => decodeTrainingRequest(encodeTrainingRequest(msg, 'proto').value));
    // protobuf writes an unknown trigger as UNSPECIFIED, i.e. not set; JSON carries the bad name.
    const jsonExpected = change.trigger === 'whim' ? 'invalid_value trigger' : expected;
    const encoded = encodeTrainingRequest(msg, 'json');
    expect(fromProto).toBe(expected);
    expect(verdict(() => decodeTrainingRequest(encoded.value, encoded.contentType))).toBe(jsonExpected);
  });

  it('names the field in the message', () => {
    const noId = { ...full, requestId: '' };
    for (const format of FORMATS) {
      const encoded = encodeTrainingRequest(noId, format);
      expect(() => decodeTrainingRequest(encoded.value, encoded.contentType)).toThrow(
        new ContractMessageError('TrainingRequest', 'missing_field', 'requestId is required', 'requestId'),
      );
    }
    expect(() => trainingRequestFromJson({ ...full, model: '' })).toThrow('TrainingRequest: model is required');
    expect(() => trainingRequestFromJson({ ...full, requestedAtMs: 'soon' })).toThrow(
      "TrainingRequest: requestedAtMs must be an RFC 3339 time with a zone (e.g. 2024-05-01T12:00:00Z), got 'soon'",
    );
  });

  it('is missing requestedAtMs when the time is left out', () => {
    const { requestedAtMs: _dropped, ...rest } = full;
    expect(verdict(() => trainingRequestFromJson(rest))).toBe('missing_field requestedAtMs');
    const pb = create(TrainingRequestSchema, { ...protoFields(), requestedAt: undefined });
    expect(verdict(() => decodeTrainingRequest(toBinary(TrainingRequestSchema, pb)))).toBe(
      'missing_field requestedAtMs',
    );
  });
});

describe('training request codec: protobuf specifics', () => {
  const encode = (change: MessageInitShape<typeof TrainingRequestSchema>) =>
    toBinary(TrainingRequestSchema, create(TrainingRequestSchema, { ...protoFields(), ...change }));

  it('reads UNSPECIFIED as a missing trigger and reports a trigger number it does not know', () => {
    expect(verdict(() => decodeTrainingRequest(encode({ trigger: TriggerEnum.UNSPECIFIED })))).toBe(
      'missing_field trigger',
    );
    expect(() => decodeTrainingRequest(encode({ trigger: 9 as TriggerEnum }))).toThrow(
      "TrainingRequest: trigger must be one of manual, schedule, drift, quality_degradation, bootstrap; got '9'",
    );
  });

  it('rejects a malformed timestamp', () => {
    const bad = create(TrainingRequestSchema, { ...protoFields() });
    bad.trainFrom = { ...timestampFromMs(T0), nanos: -5 };
    expect(verdict(() => decodeTrainingRequest(toBinary(TrainingRequestSchema, bad)))).toBe(
      'invalid_value trainFromMs',
    );
  });

  it('ignores fields from a newer schema', () => {
    const withUnknown = Buffer.concat([encode({}), Buffer.from([0xf8, 0x01, 0x01])]); // field 31, varint 1
    expect(decodeTrainingRequest(withUnknown, 'application/x-protobuf')).toEqual(full);
  });

  it('rejects bytes that are not a TrainingRequest, and content types it cannot read', () => {
    expect(verdict(() => decodeTrainingRequest(Buffer.from([0x0a, 0x05, 0x61]), 'application/x-protobuf'))).toBe(
      'undecodable',
    );
    expect(() => decodeTrainingRequest(encode({}), 'text/csv')).toThrow(
      "TrainingRequest: unsupported content type 'text/csv' (expected application/x-protobuf or application/json)",
    );
  });
});

describe('ContractMessageError', () => {
  it('is an Error that a dead letter can be made from as it is', () => {
    let caught: unknown;
    try {
      trainingRequestFromJson({ ...full, requestedAtMs: 'soon' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toBeInstanceOf(ContractMessageError);
    const err = caught as ContractMessageError;
    expect(err.name).toBe('ContractMessageError');
    expect(err.contract).toBe('TrainingRequest');
    const record = deadLetterFor(err, {
      original: new Uint8Array(),
      originalContentType: 'application/json',
      sourceTopic: 'training.requests.v1',
      sourcePartition: 0,
      sourceOffset: '0',
      failedAtMs: T0,
      service: 'training-service',
    });
    expect(record).toMatchObject({ reason: 'invalid_value', field: 'requestedAtMs', message: err.message });
  });
});

function protoFields() {
  return {
    requestId: full.requestId,
    model: full.model,
    trigger: TriggerEnum.DRIFT,
    reason: full.reason,
    requestedAt: timestampFromMs(full.requestedAtMs),
    trainFrom: timestampFromMs(full.trainFromMs!),
    trainUntil: timestampFromMs(full.trainUntilMs!),
    parameters: { ...full.parameters },
    requestedBy: full.requestedBy,
    alertId: full.alertId,
  };
}

function without<T extends object>(o: T, ...keys: Array<keyof T>): Partial<T> {
  const copy = { ...o };
  for (const key of keys) delete copy[key];
  return copy;
}
