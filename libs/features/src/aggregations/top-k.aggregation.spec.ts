import fc from 'fast-check';
import { DefinitionError } from '@pulse/core';
import type { EngagementEvent } from '@pulse/contracts';
import { defineFeatureView } from '../definition/feature-view.builder';
import type { FeatureDefinition } from '../definition/feature-view.types';
import { applyEvents } from '../engine/apply-events';
import { emptyState, type EntityState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import { FeatureRegistry } from '../engine/feature-registry';
import { evaluateOffline, replayEvents } from '../engine/replay';
import { LEARNING_EVENT_SCHEMA } from '../learning-engagement/event-schema';
import { event, HOUR, MIN, T0 } from '../testing/test-views';
import { topKCapacity, type TopKEntry } from './top-k.aggregation';

const view = (features: FeatureDefinition[]) =>
  defineFeatureView({
    name: 'v',
    version: 1,
    entity: 'learner',
    sources: ['lesson_sent', 'path_progress'],
    schema: LEARNING_EVENT_SCHEMA,
    features,
  });
const registry = new FeatureRegistry([
  view([
    { name: 'top2', aggregation: 'topK', of: 'channel', k: 2 },
    { name: 'top1_2h', aggregation: 'topK', of: 'channel', k: 1, window: '2h', tile: '1h' },
    { name: 'top_difficulty', aggregation: 'topK', of: 'attributes.difficulty', k: 5 },
  ]),
]);
const sent = (id: string, minutes: number, channel: string) =>
  event(id, minutes, 'lesson_sent', { channel: channel as EngagementEvent['channel'] });
const valuesAt = (events: EngagementEvent[], minutes: number) =>
  evaluate(applyEvents(emptyState(), events, registry).state, T0 + minutes * MIN, registry).v;

describe('topK', () => {
  // web ×3 (00:10, 00:20, 01:30), email ×2, sms ×2, slack ×1 (all before 01:00 but one web)
  const events = [
    sent('a', 10, 'web'),
    sent('b', 20, 'web'),
    sent('c', 30, 'email'),
    sent('d', 40, 'sms'),
    sent('e', 50, 'sms'),
    sent('f', 55, 'email'),
    sent('g', 58, 'slack'),
    sent('h', 90, 'web'),
  ];
  const v = valuesAt(events, 100);
  it('ranks by count, ties by value ascending', () =>
    expect(v.values.top2).toEqual([
      { value: 'web', count: 3 },
      { value: 'email', count: 2 },
    ]));
  it('covers the window’s whole tiles only', () => expect(v.values.top1_2h).toEqual([{ value: 'web', count: 3 }]));
  it('at 02:30 the 2h window holds only the 01:xx and 02:xx tiles', () =>
    expect(valuesAt(events, 150).values.top1_2h).toEqual([{ value: 'web', count: 1 }]));
  it('after the window, an empty ranking with no freshness', () => {
    const later = valuesAt(events, 4 * 60);
    expect([later.values.top1_2h, later.freshness.top1_2h]).toEqual([[], null]);
  });
  it('is fresh as its newest event', () => expect(v.freshness.top2).toBe(10 * MIN));
  it('reads attributes and leaves out events without the field', () =>
    expect(
      valuesAt(
        [
          event('p', 1, 'path_progress', {}, { difficulty: 'advanced', completion_percentage: 10 }),
          event('q', 2, 'path_progress', {}, { completion_percentage: 20 }),
        ],
        5,
      ).values.top_difficulty,
    ).toEqual([{ value: 'advanced', count: 1 }]));
  it('is empty ([]) for an entity without events', () =>
    expect(evaluate(null, T0, registry).v.values).toEqual({ top2: [], top1_2h: [], top_difficulty: [] }));
});

describe('topK definitions', () => {
  it.each<[string, Partial<FeatureDefinition>, RegExp]>([
    ['k missing', {}, /feature "t": topK needs option k \(an integer in \[1, 100\]\)/],
    ['k 0', { k: 0 }, /feature "t": k must be an integer in \[1, 100\], got 0/],
    ['k 101', { k: 101 }, /k must be an integer in \[1, 100\], got 101/],
    ['k 2.5', { k: 2.5 }, /k must be an integer in \[1, 100\], got 2.5/],
    ['k a string', { k: '3' as never }, /k must be an integer in \[1, 100\], got "3"/],
    [
      'numeric field',
      { k: 3, of: 'attributes.completion_percentage' },
      /topK needs a string field, without a map; "attributes.completion_percentage" is number/,
    ],
    [
      'mapped field',
      { k: 3, of: 'attributes.difficulty', map: { advanced: 3 } },
      /topK needs a string field, without a map; "attributes.difficulty" is mapped to numbers/,
    ],
    ['no field', { k: 3, of: undefined }, /topK needs "of"/],
  ])('%s', (_label, change, message) => {
    const build = () => view([{ name: 't', aggregation: 'topK', of: 'channel', ...change } as FeatureDefinition]);
    expect(build).toThrow(DefinitionError);
    expect(build).toThrow(message);
  });
  it('k on another aggregation', () =>
    expect(() => view([{ name: 'n', aggregation: 'count', k: 3 }])).toThrow(/feature "n": k applies to topK/));
  it('takes categories (for feature vectors)', () =>
    expect(view([{ name: 't', aggregation: 'topK', of: 'channel', k: 2, categories: ['web'] }]).valueTypes.t).toBe(
      'ranking',
    ));
});

describe('topK beyond its capacity (Space-Saving)', () => {
  const k = 1;
  const m = topKCapacity(k);
  const oneView = new FeatureRegistry([view([{ name: 'top', aggregation: 'topK', of: 'contentId', k }])], {
    allowedLatenessMs: 30 * MIN,
  });
  // Up to 3m distinct values, the low ones frequent (v0 … v95: a skewed draw).
  const arb = fc
    .array(
      fc.record({
        minute: fc.integer({ min: 0, max: 8 * 60 }),
        skew: fc.nat({ max: 3 * m - 1 }),
        delay: fc.nat({ max: 30 }),
      }),
      {
        minLength: 1,
        maxLength: 400,
      },
    )
    .map((raw) =>
      raw.map((r, i) => ({
        e: event(`e${i}`, r.minute, 'lesson_sent', { contentId: `v${Math.floor((r.skew * r.skew) / (3 * m))}` }),
        arrival: r.minute + r.delay,
      })),
    );
  it('online equals offline, and each count is within N/m above the true one', () => {
    fc.assert(
      fc.property(arb, (stream) => {
        const arrivals = [...stream].sort((a, b) => a.arrival - b.arrival).map((x) => x.e);
        let state: EntityState = emptyState();
        for (let i = 0; i < arrivals.length; i += 7)
          state = applyEvents(state, arrivals.slice(i, i + 7), oneView).state;
        const events = stream.map((x) => x.e);
        expect(state).toEqual(replayEvents(events, oneView));
        const T = (state.w as number) + HOUR;
        const got = evaluate(state, T, oneView).v.values.top as TopKEntry[];
        expect(got).toEqual(evaluateOffline(events, T, oneView).v.values.top);
        const truth = new Map<string, number>();
        for (const e of events) truth.set(e.contentId as string, (truth.get(e.contentId as string) ?? 0) + 1);
        const best = Math.max(...truth.values());
        const slack = events.length / m;
        expect(got).toHaveLength(1);
        const x = truth.get(got[0].value) ?? 0;
        expect(got[0].count).toBeGreaterThanOrEqual(x);
        expect(got[0].count).toBeLessThanOrEqual(x + slack);
        expect(x).toBeGreaterThanOrEqual(best - slack);
      }),
      { numRuns: 60 },
    );
  });
  it('keeps at most m settled values however many distinct values it saw', () => {
    const events = Array.from({ length: 5 * m }, (_, i) => event(`e${i}`, i, 'lesson_sent', { contentId: `v${i}` }));
    const state = replayEvents(events, oneView);
    const l = state.s['v@1'].l;
    expect([(l[2] as unknown[]).length / 2, (l[3] as unknown[]).length / 2]).toEqual([m, 31]);
  });
});
