import { ValidationError } from '@pulse/core';
import {
  parseAliasDelete,
  parseAliasMove,
  parseAliasName,
  parseArtifactFormat,
  parseJobListQuery,
  parseModelName,
  parseTrainingJobRequest,
  parseVersionParam,
} from './request-parsing';

/** The field a refusal names. */
function refusedField(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseTrainingJobRequest', () => {
  it('reads the model, the time range, the parameters, the request id and the reason', () => {
    expect(
      parseTrainingJobRequest({
        model: 'lesson_completion',
        from: '2024-01-01T00:00:00Z',
        until: 1_706_745_600_000,
        params: { eta: 0.1, max_depth: '4', early: true },
        requestId: 'r-1',
        reason: 'weekly',
      }),
    ).toEqual({
      model: 'lesson_completion',
      fromMs: Date.UTC(2024, 0, 1),
      untilMs: 1_706_745_600_000,
      params: { eta: 0.1, max_depth: '4', early: true },
      requestId: 'r-1',
      reason: 'weekly',
    });
    expect(parseTrainingJobRequest({ model: 'm' })).toEqual({ model: 'm', params: {}, reason: '' });
  });

  it.each([
    [null, 'body'],
    [[], 'body'],
    [{}, 'model'],
    [{ model: 3 }, 'model'],
    [{ model: 'm', from: 'yesterday' }, 'from'],
    [{ model: 'm', from: '2024-01-02T00:00:00Z', until: '2024-01-01T00:00:00Z' }, 'until'],
    [{ model: 'm', params: [] }, 'params'],
    [{ model: 'm', params: { 'Max Depth': 3 } }, 'params.Max Depth'],
    [{ model: 'm', params: { eta: null } }, 'params.eta'],
    [{ model: 'm', params: { eta: {} } }, 'params.eta'],
    [{ model: 'm', requestId: '' }, 'requestId'],
    [{ model: 'm', requestId: 'x'.repeat(300) }, 'requestId'],
    [{ model: 'm', reason: 5 }, 'reason'],
    [{ model: 'm', modle: 'x' }, 'modle'],
  ])('refuses %j, naming %s', (body, field) => {
    expect(refusedField(() => parseTrainingJobRequest(body))).toBe(field);
  });
});

describe('alias bodies', () => {
  it('reads a move with an optional reason and compare-and-set version', () => {
    expect(parseAliasMove({ version: 3 })).toEqual({ version: 3, reason: '' });
    expect(parseAliasMove({ version: 3, reason: 'ok', expectedVersion: null })).toEqual({
      version: 3,
      reason: 'ok',
      expectedVersion: null,
    });
    expect(parseAliasMove({ version: 3, expectedVersion: 2 }).expectedVersion).toBe(2);
  });

  it.each([
    [{}, 'version'],
    [{ version: 0 }, 'version'],
    [{ version: '3' }, 'version'],
    [{ version: 1.5 }, 'version'],
    [{ version: 1, expectedVersion: 'v1' }, 'expectedVersion'],
    [{ version: 1, to: 2 }, 'to'],
  ])('refuses the move %j, naming %s', (body, field) => {
    expect(refusedField(() => parseAliasMove(body))).toBe(field);
  });

  it('reads a delete from its body or the reason query parameter', () => {
    expect(parseAliasDelete(undefined, undefined)).toEqual({ reason: '' });
    expect(parseAliasDelete(undefined, 'retired')).toEqual({ reason: 'retired' });
    expect(parseAliasDelete({ reason: 'bad', expectedVersion: 4 }, undefined)).toEqual({
      reason: 'bad',
      expectedVersion: 4,
    });
    expect(refusedField(() => parseAliasDelete(undefined, ['a', 'b']))).toBe('reason');
  });
});

describe('path and query values', () => {
  it('checks model names, alias names and versions', () => {
    expect(parseModelName('lesson_completion')).toBe('lesson_completion');
    expect(refusedField(() => parseModelName('Lesson Completion'))).toBe('name');
    expect(parseAliasName('champion')).toBe('champion');
    expect(refusedField(() => parseAliasName('Champion!'))).toBe('alias');
    expect(refusedField(() => parseAliasName('history'))).toBe('alias');
    expect(parseVersionParam('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'latest', '99999999999', '01'])
      expect(refusedField(() => parseVersionParam(bad))).toBe('version');
  });

  it('checks the artifact format and the job list filters', () => {
    expect(parseArtifactFormat(undefined)).toBe('onnx');
    expect(parseArtifactFormat('json')).toBe('json');
    expect(refusedField(() => parseArtifactFormat('pmml'))).toBe('format');
    expect(parseJobListQuery('lesson_completion', 'running', '5')).toEqual({
      model: 'lesson_completion',
      state: 'running',
      limit: 5,
    });
    expect(parseJobListQuery(undefined, undefined, undefined)).toEqual({ limit: 50 });
    expect(refusedField(() => parseJobListQuery(undefined, 'done', undefined))).toBe('state');
    expect(refusedField(() => parseJobListQuery(undefined, undefined, '0'))).toBe('limit');
    expect(refusedField(() => parseJobListQuery('A B', undefined, undefined))).toBe('model');
  });
});
