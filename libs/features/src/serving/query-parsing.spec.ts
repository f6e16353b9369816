import { ValidationError } from '@pulse/core';
import {
  checkEntityId,
  MAX_AT_MS,
  MAX_BATCH_ENTITIES,
  MIN_AT_EPOCH_MS,
  parseAt,
  parseBatchRequest,
  parseViews,
  singleQueryValue,
} from './query-parsing';

const NOW = Date.UTC(2026, 0, 5, 9);
const at = (value: unknown) => parseAt(value, 'at', NOW);
/** The ValidationError a call throws (its field and message), or a failure naming what came back. */
function refusal(call: () => unknown): { field?: string; message: string } {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    if (e instanceof ValidationError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error(`accepted, as ${typeof result === 'number' ? new Date(result).toISOString() : String(result)}`);
}

describe('parseAt', () => {
  it.each([
    ['absent', undefined, NOW],
    ['JSON null', null, NOW],
    ['a Z time', '2026-11-10T12:00:00Z', Date.UTC(2026, 10, 10, 12)],
    ['lower-case t and z', '2026-11-10t12:00:00z', Date.UTC(2026, 10, 10, 12)],
    ['a positive offset', '2026-11-10T13:30:00+01:30', Date.UTC(2026, 10, 10, 12)],
    ['a negative offset', '2026-11-10T07:00:00-05:00', Date.UTC(2026, 10, 10, 12)],
    ['-00:00', '2026-11-10T12:00:00-00:00', Date.UTC(2026, 10, 10, 12)],
    ['a fraction', '2026-11-10T12:00:00.25Z', Date.UTC(2026, 10, 10, 12, 0, 0, 250)],
    [
      'a fraction beyond milliseconds (truncated)',
      '2026-11-10T12:00:00.123987654Z',
      Date.UTC(2026, 10, 10, 12, 0, 0, 123),
    ],
    ['Feb 29 of a leap year', '2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['Feb 29 of 2000', '2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['the epoch', '1970-01-01T00:00:00Z', 0],
    ['an offset back into 1970', '1969-12-31T23:00:00-01:00', 0],
    ['the latest time', '9999-12-31T23:59:59.999Z', MAX_AT_MS],
    ['epoch ms as text', '1767603600000', Date.UTC(2026, 0, 5, 9)],
    ['epoch ms as a JSON number', 1767603600000, Date.UTC(2026, 0, 5, 9)],
    ['the earliest epoch ms', String(MIN_AT_EPOCH_MS), Date.UTC(2000, 0, 1)],
    ['the latest epoch ms', MAX_AT_MS, MAX_AT_MS],
  ])('reads %s', (_, value, want) => expect(at(value)).toBe(want));

  it.each([
    ['beyond Date (text)', '8640000000000001'],
    ['beyond year 9999 (text)', '9999999999999999'],
    ['2^63 (JSON number 9223372036854775808)', 2 ** 63],
    ['beyond year 9999 (JSON number)', MAX_AT_MS + 1],
    ['negative', '-1'],
    ['a negative JSON number', -1],
    ['a decimal', '1.5'],
    ['a decimal JSON number', 1.5],
    ['a list', '1,2'],
    ['a bare year', '2030'],
    ['epoch seconds', '1767603600'],
    ['epoch seconds as a JSON number', 1767603600],
    ['Feb 30', '2026-02-30T00:00:00Z'],
    ['Feb 29 of a common year', '2026-02-29T00:00:00Z'],
    ['Feb 29 of 1900', '1900-02-29T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T12:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['offset hour 24', '2026-01-01T00:00:00+24:00'],
    ['no zone', '2026-01-01T00:00:00'],
    ['no seconds', '2026-01-01T00:00Z'],
    ['a date only', '2026-01-01'],
    ['a space for T', '2026-01-01 00:00:00Z'],
    ['an offset without colon', '2026-01-01T00:00:00+0100'],
    ['an empty fraction', '2026-01-01T00:00:00.Z'],
    ['a "+" decoded as space', '2026-01-01T00:00:00 01:00'],
    ['before 1970', '1969-12-31T23:59:59Z'],
    ['year 0080 (Date.UTC would read 1980)', '0080-01-01T00:00:00Z'],
    ['past year 9999 through its offset', '9999-12-31T23:00:00-01:00'],
    ['surrounding spaces', ' 2026-01-01T00:00:00Z '],
    ['trailing newline', '2026-01-01T00:00:00Z\n'],
    ['a NUL', '2026-01-01T00:00:00Z\u0000'],
    ['a word', 'yesterday'],
    ['Date.parse leniency', 'Jan 5 2026'],
    ['empty text', ''],
    ['a boolean', true],
    ['an object', { ms: 1 }],
    ['an array', ['2026-01-01T00:00:00Z']],
  ])('refuses %s, naming at', (_, value) => expect(refusal(() => at(value)).field).toBe('at'));

  it('says why a "+" offset came out as a space', () =>
    expect(refusal(() => at('2026-01-01T00:00:00 01:00')).message).toContain('%2B'));
  it('says a small number is not a date', () =>
    expect(refusal(() => at('2030')).message).toContain('2030-01-01T00:00:00Z'));
  it('cuts a long value short in its message', () =>
    expect(refusal(() => at('x'.repeat(100_000))).message.length).toBeLessThan(300));
});

describe('singleQueryValue', () => {
  it('passes one value', () => expect(singleQueryValue('1', 'at')).toBe('1'));
  it('refuses a repeated one, naming it', () =>
    expect(refusal(() => singleQueryValue(['1', '2'], 'at')).field).toBe('at'));
});

describe('parseViews', () => {
  it('reads repeated and comma-separated names', () => expect(parseViews(['a,b', ' c '])).toEqual(['a', 'b', 'c']));
  it('reads nothing as all views', () => expect(parseViews(',')).toBeUndefined());
});

describe('checkEntityId', () => {
  it('passes an id an event can have', () => expect(checkEntityId('learner-ü-😀', 'entityId')).toBe('learner-ü-😀'));
  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', '\udc00b'],
    ['an empty id', ''],
    ['a number', 7],
    ['a 257-character id', 'x'.repeat(257)],
  ])('refuses %s, naming the field', (_, id) =>
    expect(refusal(() => checkEntityId(id, 'entityIds[3]')).field).toBe('entityIds[3]'),
  );
});

describe('parseBatchRequest', () => {
  it('reads ids, the time (default now) and the views', () => {
    expect(parseBatchRequest({ entityIds: ['a', 'b'] }, NOW)).toEqual({
      entityIds: ['a', 'b'],
      atMs: NOW,
      views: undefined,
    });
    expect(parseBatchRequest({ entityIds: ['a'], at: '2026-11-10T12:00:00Z', views: ['v'] }, NOW)).toEqual({
      entityIds: ['a'],
      atMs: Date.UTC(2026, 10, 10, 12),
      views: ['v'],
    });
  });

  it.each([
    ['not an object', [], 'body'],
    ['null', null, 'body'],
    ['no ids', {}, 'entityIds'],
    ['no id in the list', { entityIds: [] }, 'entityIds'],
    ['too many ids', { entityIds: Array.from({ length: MAX_BATCH_ENTITIES + 1 }, (_, i) => `e${i}`) }, 'entityIds'],
    ['an id that is not a string', { entityIds: ['a', 7] }, 'entityIds[1]'],
    ['views that are not names', { entityIds: ['a'], views: 'v' }, 'views'],
    ['a bad time', { entityIds: ['a'], at: 'soon' }, 'at'],
  ])('refuses %s, naming %s', (_, body, field) =>
    expect(refusal(() => parseBatchRequest(body, NOW)).field).toBe(field),
  );
});
