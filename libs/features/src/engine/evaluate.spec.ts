import { applyEvents } from './apply-events';
import { emptyState } from './entity-state';
import { evaluate, evaluateViewColumns, AsOfBeforeWatermarkError, canEvaluateAt } from './evaluate';
import { FeatureRegistry } from './feature-registry';
import { defineFeatureView } from '../definition/feature-view.builder';
import { allAggregationsRegistry, answer, event, HOUR, MIN, T0 } from '../testing/test-views';

const registry = allAggregationsRegistry();
const at = (events: Parameters<typeof applyEvents>[1], minutes: number) => {
  const { state } = applyEvents(emptyState(), events, registry);
  return evaluate(state, T0 + minutes * MIN, registry).all_aggs;
};

describe('evaluate: known values', () => {
  // 00:10 correct 10 s web · 00:20 wrong 20.5 s sms · 01:10 correct 30 s web (ids c < d at the same ms) ·
  // 01:10 lesson_sent on email (d) · 01:30 correct 0.1 s slack
  const events = [
    answer('a', 10, true, 10),
    answer('b', 20, false, 20.5, 'sms'),
    answer('c', 70, true, 30),
    event('d', 70, 'lesson_sent', { contentId: 'L1' }),
    answer('e', 90, true, 0.1, 'slack'),
  ];
  const v = at(events, 100); // 01:40
  it.each<[string, unknown]>([
    ['n', 5],
    ['n_2h', 5],
    ['n_prev_1h', 2],
    ['n_1d', 5],
    ['answers', 4],
    ['correct', 3],
    ['accuracy', 0.75],
    ['time_sum', 60.6],
    ['time_mean', 15.15],
    ['time_var', (10 ** 2 + 20.5 ** 2 + 30 ** 2 + 0.1 ** 2) / 4 - 15.15 ** 2],
    ['time_min', 0.1],
    ['time_max_2h', 30],
    ['first_channel', 'web'],
    ['last_channel_2h', 'slack'],
    ['last_correct', 1],
    ['channels', 4],
    ['contents_2h', 1],
    ['top_channel', 'web'],
    ['top_hour', 1],
    ['streak', 2],
    ['since_last', 10 * MIN],
    ['since_last_answer_2h', 10 * MIN],
    ['difficulty', null],
    ['completion_2h', null],
    [
      'top_channels',
      [
        { value: 'web', count: 2 },
        { value: 'email', count: 1 },
        { value: 'slack', count: 1 },
      ],
    ],
    ['top_contents_2h', [{ value: 'L1', count: 1 }]],
    ['time_hist', [0, 1, 3, 0]],
    ['correct_hist_2h', [1, 3]],
  ])('%s = %p', (name, expected) => {
    if (name === 'time_var') expect(v.values[name]).toBeCloseTo(expected as number, 10);
    else expect(v.values[name]).toEqual(expected);
  });

  it('at 02:40 the 2h window (1h tiles) holds only the 01:xx tile and the offset window that tile too', () => {
    const later = at(events, 160);
    expect(later.values).toMatchObject({
      n_2h: 3,
      n_prev_1h: 3,
      time_mean_2h: 15.05,
      time_max_2h: 30,
      top_hour_2h: 1,
      n: 5,
    });
    expect(later.freshness).toMatchObject({ n_2h: 70 * MIN, since_last: 70 * MIN, first_channel: 70 * MIN });
  });
  it('at 03:00 the 2h window is empty: counts 0, means and lasts null, freshness null', () => {
    const empty = at(events, 180);
    expect(empty.values).toMatchObject({
      n_2h: 0,
      time_mean_2h: null,
      time_var_2h: null,
      last_channel_2h: null,
      contents_2h: 0,
      since_last_answer_2h: null,
      n: 5,
      n_1d: 5,
    });
    expect(empty.freshness).toMatchObject({ n_2h: null, n: 90 * MIN });
  });
  it('next UTC day: the 1d window (1d tiles) starts over', () => {
    expect(at(events, 24 * 60).values.n_1d).toBe(0);
  });
  it('ratio is null when the denominator is 0; its freshness is the newer of its parts', () => {
    const v2 = at([event('x', 5, 'lesson_sent')], 10);
    expect(v2.values.accuracy).toBeNull();
    expect(v2.freshness.accuracy).toBeNull();
    expect(v.freshness.accuracy).toBe(10 * MIN);
  });
  it('first/last break time ties by event id; mode ties go to the smallest value', () => {
    const tie = [
      event('b', 5, 'lesson_sent', { channel: 'sms' }),
      event('a', 5, 'lesson_sent', { channel: 'web' }),
      event('c', 5, 'lesson_sent', { channel: 'slack' }),
    ];
    const x = at(tie, 6);
    expect([x.values.first_channel, x.values.last_channel_2h, x.values.top_channel]).toEqual(['web', 'slack', 'slack']);
    const hours = at(
      [event('a', 61, 'lesson_sent'), event('b', 1, 'lesson_sent'), event('c', 125, 'lesson_sent')],
      130,
    );
    expect(hours.values.top_hour).toBe(0);
  });
  it('sums are exact at the declared precision, whatever the order', () => {
    const tenths = [answer('a', 1, true, 0.1), answer('b', 2, true, 0.2), answer('c', 3, true, 0.3)];
    expect(at(tenths, 5).values.time_sum).toBe(0.6);
    expect(at(tenths, 5).values.time_mean).toBe(0.2);
    expect(at([...tenths].reverse(), 5).values.time_sum).toBe(0.6);
    expect(
      at([answer('a', 1, true, 1), answer('b', 2, true, 2), answer('c', 3, true, 3), answer('d', 4, true, 4)], 5).values
        .time_var,
    ).toBe(1.25);
  });
  it('values beyond 2^53 at the precision take the exact big-integer path', () => {
    const big = at([answer('a', 1, true, 1e11), answer('b', 2, true, 1e11 + 1)], 5);
    expect(big.values).toMatchObject({ time_sum: 2e11 + 1, time_mean: 1e11 + 0.5, time_var: 0.25 });
  });
  it('maps strings to numbers and aggregates at the feature decimals', () => {
    const p = (id: string, m: number, d: string, c: number) =>
      event(id, m, 'path_progress', {}, { difficulty: d, completion_percentage: c });
    const x = at([p('a', 1, 'beginner', 33.34), p('b', 2, 'advanced', 50), p('c', 3, 'unknown', 10)], 5);
    expect(x.values).toMatchObject({ difficulty: 2, completion_2h: 31.1 });
  });
  it('booleans count as 1/0 and a missing or mistyped attribute contributes nothing', () => {
    const x = at(
      [
        answer('a', 1, true, 5),
        event('b', 2, 'assessment_answered', {}, { is_correct: 'yes', time_taken_seconds: '7' }),
      ],
      5,
    );
    expect(x.values).toMatchObject({ answers: 2, correct: 1, time_mean: 5, streak: 1, last_correct: 1 });
  });
});

describe('evaluate: as-of rules', () => {
  const { state } = applyEvents(emptyState(), [event('a', 60, 'lesson_sent')], registry);
  it('refuses an as-of time before the watermark (the offline path answers those)', () => {
    expect(() => evaluate(state, T0 + 59 * MIN, registry)).toThrow(AsOfBeforeWatermarkError);
    expect(canEvaluateAt(state, T0 + 59 * MIN)).toBe(false);
    expect(canEvaluateAt(state, T0 + HOUR)).toBe(true);
    expect(canEvaluateAt(null, 0)).toBe(true);
  });
  it('evaluates a missing state as an empty history', () => {
    expect(evaluate(null, T0, registry).all_aggs.values).toMatchObject({
      n: 0,
      time_mean: null,
      streak: 0,
      since_last: null,
    });
  });
  it('evaluates only the named views and rejects unknown ones', () => {
    expect(Object.keys(evaluate(state, T0 + HOUR, registry, ['all_aggs']))).toEqual(['all_aggs']);
    expect(() => evaluate(state, T0 + HOUR, registry, ['nope'])).toThrow(/unknown feature view "nope"/);
  });
  it('reports the view version and values in declared order', () => {
    const v = evaluate(state, T0 + HOUR, registry).all_aggs;
    expect(v.version).toBe(3);
    expect(Object.keys(v.values)[0]).toBe('n');
    expect(Object.keys(v.freshness)).toEqual(Object.keys(v.values));
  });
});

describe('evaluate: distinct counts and modes of time fields read off count tiles', () => {
  const DAY = 24 * HOUR;
  const view = defineFeatureView({
    name: 'days',
    version: 1,
    entity: 'learner',
    sources: ['lesson_sent'],
    features: [
      { name: 'n_3d', aggregation: 'count', window: '3d', tile: '1d' },
      { name: 'days_3d', aggregation: 'distinctCount', of: 'dayIndex', window: '3d', tile: '1d' },
      { name: 'top_weekday_3d', aggregation: 'mode', of: 'dayOfWeek', window: '3d', tile: '1d' },
      { name: 'hours_1d', aggregation: 'distinctCount', of: 'hourOfDay', window: '1d', tile: '1h' },
      { name: 'top_hour_1d', aggregation: 'mode', of: 'hourOfDay', window: '1d', tile: '1h' },
      { name: 'hours_1d_6h', aggregation: 'distinctCount', of: 'hourOfDay', window: '1d', tile: '6h' },
    ],
  });
  const reg = new FeatureRegistry([view]);
  const plan = reg.registered('days')!.plan;
  // Mon 01:00 ×2, Mon 02:30, Tue 05:00, Wed 05:10, Wed 23:00 (T0 is a Monday)
  const minutes = [60, 61, 150, DAY / MIN + 300, (2 * DAY) / MIN + 310, (2 * DAY) / MIN + 23 * 60];
  const { state } = applyEvents(
    emptyState(),
    minutes.map((m, i) => event(`e${i}`, m, 'lesson_sent')),
    reg,
  );
  const v = evaluate(state, T0 + 2 * DAY + 23 * HOUR + 30 * MIN, reg).days;
  it.each<[string, unknown]>([
    ['n_3d', 6],
    ['days_3d', 3],
    ['top_weekday_3d', 1], // Monday (3 events) over Wednesday (2)
  ])('%s', (name, expected) => expect(v.values[name]).toBe(expected));
  it('keeps no bag for them: the count tiles of the same events serve', () => {
    expect(plan.groups.find((g) => g.tile === '1d')!.accs.map((a) => a.kind)).toEqual(['count']);
    expect(plan.groups.find((g) => g.tile === '1h')!.accs.map((a) => a.kind)).toEqual(['count']);
    // hourOfDay is not constant over a 6 h tile: that one keeps a bag.
    expect(plan.groups.find((g) => g.tile === '6h')!.accs.map((a) => a.kind)).toEqual(['bag']);
  });
  it('counts hours over 1 h tiles as a bag over 6 h tiles does', () => {
    // As of Wed 23:30, both windows cover Wed 00:00–23:59: Wed 05:10 and Wed 23:00; mode tie → 5.
    expect(v.values).toMatchObject({ hours_1d: 2, top_hour_1d: 5, hours_1d_6h: 2 });
    expect(v.freshness.days_3d).toBe(30 * MIN);
  });
});

describe('evaluateViewColumns', () => {
  const { state } = applyEvents(
    emptyState(),
    [
      answer('a', 10, true, 10),
      answer('b', 20, false, 20.5, 'sms'),
      event('d', 70, 'lesson_sent', { contentId: 'L1' }),
    ],
    registry,
  );
  const asOf = T0 + 100 * MIN;
  it('gives what evaluate gives, positional in the declared feature order', () => {
    const view = registry.views[0];
    const values: unknown[] = [];
    const freshness: (number | null)[] = [];
    const version = evaluateViewColumns(state, asOf, registry, 0, values as never[], freshness);
    const keyed = evaluate(state, asOf, registry)[view.name];
    expect(version).toBe(keyed.version);
    expect(values).toEqual(view.features.map((f) => keyed.values[f.name]));
    expect(freshness).toEqual(view.features.map((f) => keyed.freshness[f.name]));
  });
  it('rejects a position outside the registry and an as-of time before the watermark', () => {
    expect(() => evaluateViewColumns(state, asOf, registry, registry.views.length, [], [])).toThrow(RangeError);
    expect(() => evaluateViewColumns(state, asOf, registry, -1, [], [])).toThrow(/position/);
    expect(() => evaluateViewColumns(state, T0, registry, 0, [], [])).toThrow(AsOfBeforeWatermarkError);
  });
});
