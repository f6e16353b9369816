import { ConnectionError, ValidationError } from '@pulse/core';
import { isDataError, isTransient, unprocessable } from './failure-kinds';

const pg = (code: string, message = 'x', extra: object = {}) => Object.assign(new Error(message), { code, ...extra });

describe('failure kinds', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      true,
    ],
    ['a Postgres shutting down (57P01)', pg('57P01'), true],
    ['a read-only Postgres (25006, a failover)', pg('25006'), true],
    ['a rotated password (28P01)', pg('28P01'), true],
    ['a revoked grant (42501)', pg('42501'), true],
    ['a column a newer migration made NOT NULL (23502)', pg('23502'), true],
    ['an internal error (XX000)', pg('XX000'), true],
    ['a NUL byte (22021)', pg('22021'), false],
    ['a check constraint (23514)', pg('23514'), false],
    ['an index row too large (54000)', pg('54000'), false],
    ['pg: the connection ended', new Error('Connection terminated unexpectedly'), true],
    ['a bug on one record', new TypeError("Cannot read properties of undefined (reading 'x')"), false],
    ['our retriable error', new ConnectionError('redis away'), true],
    [
      'our validation error quoting an id like socket-1',
      new ValidationError('online state of socket-1 is corrupt'),
      false,
    ],
    [
      'a wrapped refused connection',
      Object.assign(new Error('append failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      true,
    ],
  ])('%s: transient %s', (_label, err, expected) => expect(isTransient(err)).toBe(expected));

  it('a data error is one Postgres gives for a value, whatever the server state', () => {
    expect([isDataError(pg('22P05')), isDataError(pg('42501')), isDataError(new Error('x'))]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('names the column Postgres names, by COPY (where) or INSERT (column)', () => {
    expect(
      unprocessable(pg('22021', 'invalid byte sequence', { where: 'COPY event_log, line 2, column content_id: "a"' })),
    ).toMatchObject({ reason: 'storage_rejected', field: 'content_id' });
    expect(unprocessable(pg('23514', 'check', { column: 'channel' }))).toMatchObject({
      reason: 'storage_rejected',
      field: 'channel',
    });
    expect(unprocessable(new TypeError('boom'))).toEqual({
      reason: 'processing_failed',
      message: 'the event failed on every attempt, alone: boom',
    });
  });
});
