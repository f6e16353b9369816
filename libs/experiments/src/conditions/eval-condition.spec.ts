import { conditionProblem } from './condition-problem';
import { evalCondition } from './eval-condition';
import { paddedVersionString } from './padded-version';

const learner = { id: 'u1', country: 'DE', age: 31, tags: ['beta', 'mobile'], app: { version: '2.10.0' }, pro: false };

describe('evalCondition', () => {
  it('compares a string by its text', () => expect(evalCondition({ age: 31 }, { age: '31' })).toBe(true));
  it('compares a number numerically', () => expect(evalCondition({ age: '31' }, { age: 31 })).toBe(true));
  it('compares a literal object as JSON', () =>
    expect(evalCondition(learner, { app: { version: '2.10.0' } })).toBe(true));
  it('reads dotted paths', () => expect(evalCondition(learner, { 'app.version': { $vgt: '2.9.9' } })).toBe(true));
  it('treats a missing path as null', () => expect(evalCondition(learner, { 'app.build': null })).toBe(true));
  it('applies every operator of an object', () =>
    expect(evalCondition(learner, { age: { $gt: 30, $lt: 31 } })).toBe(false));
  it('$eq is strict', () => expect(evalCondition(learner, { age: { $eq: '31' } })).toBe(false));
  it('$ne', () => expect(evalCondition(learner, { country: { $ne: 'FR' } })).toBe(true));
  it('$gte on strings compares text', () => expect(evalCondition(learner, { country: { $gte: 'DA' } })).toBe(true));
  it('$in intersects an array attribute', () => expect(evalCondition(learner, { tags: { $in: ['beta'] } })).toBe(true));
  it('$nin', () => expect(evalCondition(learner, { country: { $nin: ['DE', 'AT'] } })).toBe(false));
  it('$ini folds case', () => expect(evalCondition(learner, { country: { $ini: ['de'] } })).toBe(true));
  it('$all needs each value', () => expect(evalCondition(learner, { tags: { $all: ['beta', 'web'] } })).toBe(false));
  it('$alli folds case', () => expect(evalCondition(learner, { tags: { $alli: ['BETA', 'Mobile'] } })).toBe(true));
  it('$size', () => expect(evalCondition(learner, { tags: { $size: { $gte: 2 } } })).toBe(true));
  it('$elemMatch on values', () =>
    expect(evalCondition(learner, { tags: { $elemMatch: { $regex: '^mob' } } })).toBe(true));
  it('$elemMatch on fields', () =>
    expect(evalCondition({ xs: [{ n: 0 }, { n: 2 }] }, { xs: { $elemMatch: { n: 2 } } })).toBe(true));
  it('$elemMatch tests falsy elements', () =>
    expect(evalCondition({ xs: [0] }, { xs: { $elemMatch: { $eq: 0 } } })).toBe(true));
  it('$regex', () => expect(evalCondition(learner, { id: { $regex: '^u[0-9]+$' } })).toBe(true));
  it('$regexi', () => expect(evalCondition(learner, { id: { $regexi: '^U1$' } })).toBe(true));
  it('an invalid $regex matches nobody', () => expect(evalCondition(learner, { id: { $regex: '(' } })).toBe(false));
  it('$exists false on a missing attribute', () =>
    expect(evalCondition(learner, { email: { $exists: false } })).toBe(true));
  it('$type', () => expect(evalCondition(learner, { tags: { $type: 'array' } })).toBe(true));
  it('$not on a value', () => expect(evalCondition(learner, { country: { $not: { $in: ['FR'] } } })).toBe(true));
  it('a boolean is not matched by null', () => expect(evalCondition({}, { pro: false })).toBe(false));
  it('a boolean matches a falsy attribute', () => expect(evalCondition(learner, { pro: false })).toBe(true));
  it('$or', () => expect(evalCondition(learner, { $or: [{ country: 'FR' }, { age: 31 }] })).toBe(true));
  it('an empty $or passes', () => expect(evalCondition(learner, { $or: [] })).toBe(true));
  it('$nor', () => expect(evalCondition(learner, { $nor: [{ country: 'FR' }, { age: 31 }] })).toBe(false));
  it('$and', () => expect(evalCondition(learner, { $and: [{ country: 'DE' }, { age: 30 }] })).toBe(false));
  it('$not on a condition', () => expect(evalCondition(learner, { $not: { country: 'DE' } })).toBe(false));
  it('an unknown operator matches nobody', () => expect(evalCondition(learner, { age: { $older: 3 } })).toBe(false));
});

describe('saved groups', () => {
  const groups = {
    testers: ['u1', 'u2'],
    germans: { type: 'list', attributeKey: 'country', values: ['DE'] },
    adults: { type: 'condition', condition: { age: { $gte: 18 } } },
    loop: { type: 'condition', condition: { $savedGroup: { id: 'loop' } } },
  } as const;

  it('$inGroup on an id list', () =>
    expect(evalCondition(learner, { id: { $inGroup: 'testers' } }, groups)).toBe(true));
  it('$notInGroup on an unknown id', () =>
    expect(evalCondition(learner, { id: { $notInGroup: 'nobody' } }, groups)).toBe(true));
  it('$notInGroup on a condition group', () =>
    expect(evalCondition(learner, { id: { $notInGroup: 'adults' } }, groups)).toBe(false));
  it('$savedGroup on a list', () =>
    expect(evalCondition(learner, { $savedGroup: { id: 'germans' } }, groups)).toBe(true));
  it('$savedGroup with another attribute', () =>
    expect(evalCondition(learner, { $savedGroup: { id: 'germans', attributeKey: 'id' } }, groups)).toBe(false));
  it('$savedGroup on a condition', () =>
    expect(evalCondition(learner, { $savedGroup: { id: 'adults' } }, groups)).toBe(true));
  it('$savedGroup stops at a cycle', () =>
    expect(evalCondition(learner, { $savedGroup: { id: 'loop' } }, groups)).toBe(false));
});

describe('paddedVersionString', () => {
  it('pads numeric parts', () => expect(paddedVersionString('v1.2.3')).toBe('    1-    2-    3-~'));
  it('orders 1.10 after 1.9', () => expect(paddedVersionString('1.10.0') > paddedVersionString('1.9.0')).toBe(true));
  it('orders a release after its pre-release', () =>
    expect(paddedVersionString('1.0.0') > paddedVersionString('1.0.0-rc.1')).toBe(true));
  it('drops build metadata', () => expect(paddedVersionString('1.0.0+42')).toBe(paddedVersionString('1.0.0')));
});

describe('conditionProblem', () => {
  it('accepts a valid condition', () =>
    expect(conditionProblem({ $or: [{ age: { $gt: 3 } }, { tags: { $all: ['a'] } }] })).toBeUndefined());
  it('accepts a $-prefixed attribute path', () =>
    expect(conditionProblem({ $groups: { $elemMatch: { $eq: 'a' } } })).toBeUndefined());
  it('names a nested field', () =>
    expect(conditionProblem({ tags: { $elemMatch: { $size: { $gt: 'x', $bad: 1 } } } })).toEqual({
      field: 'condition.tags.$elemMatch.$size.$bad',
      message: expect.stringMatching(/^unknown operator/),
    }));
  it('refuses a mix of operators and keys', () =>
    expect(conditionProblem({ age: { $gt: 1, x: 2 } })?.message).toMatch(/mixes the operator "\$gt"/));
  it('refuses a non-array $and', () => expect(conditionProblem({ $and: {} })?.field).toBe('condition.$and'));
  it('refuses a bad $type', () =>
    expect(conditionProblem({ age: { $type: 'int' } })?.field).toBe('condition.age.$type'));
  it('refuses a $savedGroup without an id', () =>
    expect(conditionProblem({ $savedGroup: {} })?.field).toBe('condition.$savedGroup'));
  it('refuses a non-object condition', () => expect(conditionProblem([])?.message).toBe('must be an object'));
});
