import { DefinitionError } from '@pulse/core';
import { defineFeatureView } from './feature-view.builder';
import type { FeatureDefinition, FeatureViewDefinition } from './feature-view.types';
import { FeatureRegistry } from '../engine/feature-registry';
import { LEARNING_EVENT_SCHEMA } from '../learning-engagement/event-schema';

const base: FeatureViewDefinition = {
  name: 'v',
  version: 1,
  entity: 'learner',
  sources: ['lesson_sent', 'assessment_answered', 'path_progress'],
  schema: LEARNING_EVENT_SCHEMA,
  features: [{ name: 'n', aggregation: 'count' }],
};
const withFeature = (f: Partial<FeatureDefinition> & { name?: string }): FeatureViewDefinition => ({
  ...base,
  features: [{ name: 'n', aggregation: 'count' }, { name: 'x', aggregation: 'count', ...f } as FeatureDefinition],
});
const broken = (def: unknown) => () => defineFeatureView(def as FeatureViewDefinition);

describe('defineFeatureView rejects broken definitions with a DefinitionError naming the problem', () => {
  it.each<[string, unknown, RegExp]>([
    ['bad name', { ...base, name: 'Bad-Name' }, /feature view "Bad-Name": name must be snake_case/],
    ['version 0', { ...base, version: 0 }, /version must be a positive integer, got 0/],
    ['version 1.5', { ...base, version: 1.5 }, /version must be a positive integer, got 1.5/],
    ['version missing', { ...base, version: undefined }, /version must be a positive integer/],
    ['empty entity', { ...base, entity: '' }, /entity must be a non-empty string/],
    ['empty sources', { ...base, sources: [] }, /sources must list at least one event type/],
    ['repeated source', { ...base, sources: ['lesson_sent', 'lesson_sent'] }, /sources must not repeat/],
    ['no features', { ...base, features: [] }, /features must list at least one feature/],
    [
      'bad schema type',
      { ...base, schema: { lesson_sent: { x: 'date' } } },
      /schema: lesson_sent.x has unknown type "date"/,
    ],
    [
      'duplicate feature',
      {
        ...base,
        features: [
          { name: 'n', aggregation: 'count' },
          { name: 'n', aggregation: 'count' },
        ],
      },
      /feature "n": duplicate feature name/,
    ],
    ['bad feature name', withFeature({ name: '9lives' }), /feature "9lives": feature name must be snake_case/],
    [
      'unknown aggregation',
      withFeature({ aggregation: 'median' as never }),
      /feature "x": unknown aggregation "median"/,
    ],
    [
      'ratio to a missing feature',
      withFeature({ aggregation: 'ratio', numerator: 'n', denominator: 'nope' }),
      /ratio denominator "nope" is not a feature of this view/,
    ],
    ['ratio without numerator', withFeature({ aggregation: 'ratio', denominator: 'n' }), /ratio needs a numerator/],
    [
      'ratio of a ratio',
      {
        ...base,
        features: [
          { name: 'n', aggregation: 'count' },
          { name: 'r', aggregation: 'ratio', numerator: 'n', denominator: 'n' },
          { name: 'rr', aggregation: 'ratio', numerator: 'r', denominator: 'n' },
        ],
      },
      /ratio numerator "r" is itself a ratio/,
    ],
    [
      'ratio of a string',
      {
        ...base,
        features: [
          { name: 'n', aggregation: 'count' },
          { name: 'c', aggregation: 'mode', of: 'channel' },
          { name: 'r', aggregation: 'ratio', numerator: 'c', denominator: 'n' },
        ],
      },
      /ratio numerator "c" is not numeric/,
    ],
    [
      'ratio with a window',
      withFeature({ aggregation: 'ratio', numerator: 'n', denominator: 'n', window: '7d' }),
      /ratio takes only numerator and denominator, not window/,
    ],
    ['numerator on a count', withFeature({ numerator: 'n' }), /numerator\/denominator are only for ratio/],
    [
      'window not a multiple of the tile',
      withFeature({ window: '90m', tile: '1h' }),
      /window length is not a multiple of the tile size 1h/,
    ],
    [
      'no tile divides the window',
      withFeature({ window: '7m' }),
      /no tile size \(5m, 15m, 1h, 6h, 1d\) divides the window/,
    ],
    [
      'explicit tile does not divide',
      withFeature({ window: '50h', tile: '1d' }),
      /window length is not a multiple of the tile size 1d/,
    ],
    [
      'offset not a multiple of the tile',
      withFeature({ window: { last: '7d', offset: '3h' }, tile: '1d' }),
      /window offset is not a multiple of the tile size 1d/,
    ],
    ['unparseable window', withFeature({ window: '7 days' as never }), /window "7 days" is not lifetime or a duration/],
    ['bad window.last', withFeature({ window: { last: 'x' as never } }), /window.last "x" is not a duration/],
    ['unknown tile', withFeature({ window: '2h', tile: '2h' as never }), /tile "2h" is not one of 5m, 15m, 1h, 6h, 1d/],
    ['too many tiles', withFeature({ window: '30d', tile: '5m' }), /window needs more than 400 5m tiles/],
    ['window too long', withFeature({ window: '500d' }), /window plus offset must be at most 400d/],
    ['tile on lifetime', withFeature({ tile: '1d' }), /a lifetime feature has no tiles/],
    [
      'windowed streak',
      withFeature({ aggregation: 'currentStreak', of: 'attributes.is_correct', window: '7d' }),
      /currentStreak is defined over the whole history/,
    ],
    [
      'event type outside sources',
      withFeature({ eventTypes: ['session_started'] }),
      /event type "session_started" is not one of the view's sources/,
    ],
    ['empty eventTypes', withFeature({ eventTypes: [] }), /eventTypes must be a non-empty list/],
    ['mean without of', withFeature({ aggregation: 'mean' }), /mean needs "of"/],
    [
      'unknown field',
      withFeature({ aggregation: 'mode', of: 'colour' as never }),
      /field "colour" is not a known field/,
    ],
    [
      'undeclared attribute',
      withFeature({ aggregation: 'sum', of: 'attributes.score' }),
      /attribute "score" is not declared by any of the event types/,
    ],
    [
      'attribute of another event type',
      withFeature({ aggregation: 'mean', of: 'attributes.is_correct', eventTypes: ['path_progress'] }),
      /attribute "is_correct" is not declared by any of the event types path_progress/,
    ],
    [
      'attribute without schema',
      { ...withFeature({ aggregation: 'mean', of: 'attributes.is_correct' }), schema: undefined },
      /reads an attribute but the view has no schema/,
    ],
    [
      'sum of a string attribute',
      withFeature({ aggregation: 'sum', of: 'attributes.difficulty' }),
      /sum needs a numeric or boolean field \(or a map\); "attributes.difficulty" is string/,
    ],
    ['mean of channel', withFeature({ aggregation: 'mean', of: 'channel' }), /mean needs a numeric or boolean field/],
    [
      'streak of a number',
      withFeature({ aggregation: 'currentStreak', of: 'attributes.time_taken_seconds' }),
      /currentStreak needs a boolean field; "attributes.time_taken_seconds" is number/,
    ],
    [
      'map on a number',
      withFeature({ aggregation: 'mean', of: 'attributes.time_taken_seconds', map: { a: 1 } }),
      /map applies to string fields/,
    ],
    [
      'map to a non-number',
      withFeature({ aggregation: 'mean', of: 'attributes.difficulty', map: { a: 'x' as never } }),
      /map value for "a" must be a finite number/,
    ],
    [
      'decimals out of range',
      withFeature({ aggregation: 'mean', of: 'attributes.time_taken_seconds', decimals: 12 }),
      /decimals must be an integer in \[0, 9\], got 12/,
    ],
    [
      'decimals on min',
      withFeature({ aggregation: 'min', of: 'attributes.time_taken_seconds', decimals: 2 }),
      /decimals applies to sum, mean and variance/,
    ],
    [
      'categories on a number',
      withFeature({ aggregation: 'mean', of: 'attributes.time_taken_seconds', categories: ['a'] }),
      /categories apply to string-valued features/,
    ],
    [
      'repeated categories',
      withFeature({ aggregation: 'mode', of: 'channel', categories: ['sms', 'sms'] }),
      /categories must not repeat/,
    ],
    [
      'unknown operator',
      withFeature({ where: [{ field: 'channel', op: 'like' as never, value: 'x' }] }),
      /where: unknown operator "like"/,
    ],
    [
      'condition value of the wrong type',
      withFeature({ where: [{ field: 'attributes.is_correct', op: 'eq', value: 'yes' }] }),
      /where attributes.is_correct eq: value "yes" is not a boolean/,
    ],
    [
      'condition on a number with a string',
      withFeature({ where: [{ field: 'hourOfDay', op: 'gt', value: '9' }] }),
      /value "9" is not a number/,
    ],
    [
      'in with an empty list',
      withFeature({ where: [{ field: 'channel', op: 'in', value: [] }] }),
      /where channel in: needs a non-empty list/,
    ],
    [
      'ordering booleans',
      withFeature({ where: [{ field: 'attributes.is_correct', op: 'gt', value: true }] }),
      /booleans are not ordered/,
    ],
  ])('%s', (_label, def, message) => {
    expect(broken(def)).toThrow(DefinitionError);
    expect(broken(def)).toThrow(message);
  });
});

describe('defineFeatureView', () => {
  const view = defineFeatureView({
    ...base,
    features: [
      { name: 'n', aggregation: 'count' },
      { name: 'ch', aggregation: 'mode', of: 'channel' },
      { name: 'lvl', aggregation: 'last', of: 'attributes.difficulty', map: { beginner: 1 } },
      { name: 'ok', aggregation: 'first', of: 'attributes.is_correct' },
    ],
  });
  it('returns a frozen value with key, output types and fingerprint', () => {
    expect(view.key).toBe('v@1');
    expect(view.valueTypes).toEqual({ n: 'number', ch: 'string', lvl: 'number', ok: 'number' });
    expect(view.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(Object.isFrozen(view)).toBe(true);
    expect(Object.isFrozen(view.features[0])).toBe(true);
  });
  it('keeps the fingerprint when only descriptions change and changes it when retention changes', () => {
    const a = defineFeatureView({ ...base, features: [{ name: 'n', aggregation: 'count', window: '7d' }] });
    const b = defineFeatureView({
      ...base,
      description: 'x',
      features: [{ name: 'n', aggregation: 'count', window: '7d', description: 'y' }],
    });
    const c = defineFeatureView({ ...base, features: [{ name: 'n', aggregation: 'count', window: '14d' }] });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
  it('registry rejects duplicate views, mixed entities, lateness below zero and retention below lateness', () => {
    expect(() => new FeatureRegistry([view, view])).toThrow(/view "v" is registered twice/);
    expect(() => new FeatureRegistry([view, defineFeatureView({ ...base, name: 'w', entity: 'course' })])).toThrow(
      /different entities/,
    );
    expect(() => new FeatureRegistry([view], { allowedLatenessMs: -1 })).toThrow(RangeError);
    expect(() => new FeatureRegistry([view], { allowedLatenessMs: 10, dedupRetentionMs: 5 })).toThrow(
      /dedupRetentionMs must be an integer ≥ allowedLatenessMs/,
    );
    expect(() => new FeatureRegistry([])).toThrow(DefinitionError);
    expect(() => new FeatureRegistry([{ ...view }])).toThrow(/was not built with defineFeatureView/);
  });
});
