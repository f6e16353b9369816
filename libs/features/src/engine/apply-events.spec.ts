import fc from 'fast-check';
import { applyEvents, classifyEvents, cloneState, foldEvents, Verdict } from './apply-events';
import { emptyState } from './entity-state';
import { evaluate } from './evaluate';
import { FeatureRegistry } from './feature-registry';
import { defineFeatureView } from '../definition/feature-view.builder';
import { allAggregationsRegistry, allAggregationsView, answer, event, HOUR, MIN, T0 } from '../testing/test-views';

const registry = allAggregationsRegistry(); // lateness 1 h
const plan = registry.registered('all_aggs')!.plan;
/** The tile indexes of a flat tile array (entries of the group's size). */
const tileIndexes = (tiles: unknown[], tile: string) => {
  const size = plan.groups.find((g) => g.tile === tile)!.accs[0].groupSize;
  return tiles.filter((_, i) => i % size === 0);
};
const fold = (events: Parameters<typeof applyEvents>[1], state = emptyState()) => applyEvents(state, events, registry);

describe('applyEvents', () => {
  it('skips a repeated event id and counts it as a duplicate', () => {
    const r = fold([event('a', 1, 'lesson_sent'), event('a', 1, 'lesson_sent'), event('b', 2, 'lesson_sent')]);
    expect([r.applied, r.duplicates, r.tooLate.length]).toEqual([2, 1, 0]);
    expect(fold([event('a', 1, 'lesson_sent')], r.state).duplicates).toBe(1);
  });
  it('applies an event exactly at watermark − lateness and reports an older one too late', () => {
    const s = fold([event('a', 120, 'lesson_sent')]).state;
    const r = fold([event('edge', 60, 'lesson_sent'), event('late', 59, 'lesson_sent')], s);
    expect([r.applied, r.tooLate.map((e) => e.eventId)]).toEqual([1, ['late']]);
    expect(evaluate(r.state, T0 + 2 * HOUR, registry).all_aggs.values.n).toBe(2);
  });
  it('does not modify the input state', () => {
    const s = fold([event('a', 1, 'lesson_sent')]).state;
    const copy = cloneState(s);
    fold([event('b', 2, 'lesson_sent')], s);
    expect(s).toEqual(copy);
  });
  it('keeps ids only within the dedup retention and prunes tiles behind the longest window', () => {
    const s = fold([
      event('a', 0, 'lesson_sent'),
      event('b', 50, 'lesson_sent'),
      event('c', 3 * 24 * 60, 'lesson_sent'),
    ]).state;
    expect([...s.d.keys()]).toEqual(['c']);
    const tiles = s.s['all_aggs@3'].t;
    expect(tileIndexes(tiles['1h'], '1h')).toEqual([(T0 + 3 * 24 * HOUR) / HOUR]);
    expect(tileIndexes(tiles['1d'], '1d')).toEqual([(T0 + 3 * 24 * HOUR) / (24 * HOUR)]);
    expect(evaluate(s, s.w as number, registry).all_aggs.values).toMatchObject({ n: 3, n_2h: 1, n_1d: 1 });
  });
  it('a longer dedup retention turns an old redelivery into a duplicate instead of too late', () => {
    const r2 = new FeatureRegistry([allAggregationsView], { allowedLatenessMs: HOUR, dedupRetentionMs: 24 * HOUR });
    const s = applyEvents(emptyState(), [event('a', 0, 'lesson_sent'), event('b', 300, 'lesson_sent')], r2).state;
    const again = applyEvents(s, [event('a', 0, 'lesson_sent')], r2);
    expect([again.duplicates, again.tooLate.length]).toEqual([1, 0]);
    expect(
      fold([event('a', 0, 'lesson_sent')], fold([event('a', 0, 'lesson_sent'), event('b', 300, 'lesson_sent')]).state)
        .tooLate,
    ).toHaveLength(1);
  });
  it('computes the streak in (time, id) order even when outcomes arrive out of order within the lateness', () => {
    // sorted: a ✓ (1) · b ✗ (2) · c ✓ (3) · d ✓ (3, id after c) → streak 2
    const inOrder = fold([
      answer('a', 1, true, 1),
      answer('b', 2, false, 1),
      answer('c', 3, true, 1),
      answer('d', 3, true, 1),
    ]).state;
    let s = fold([answer('d', 3, true, 1), answer('a', 1, true, 1)]).state;
    s = fold([answer('c', 3, true, 1)], s).state;
    s = fold([answer('b', 2, false, 1)], s).state;
    expect(evaluate(s, T0 + 5 * MIN, registry).all_aggs.values.streak).toBe(2);
    expect(s).toEqual(inOrder);
  });
  it('finalises streak outcomes older than the lateness into one number', () => {
    const s = fold([answer('a', 0, true, 1), answer('b', 10, true, 1), answer('c', 200, true, 1)]).state;
    const o = plan.lifetime.find((a) => a.kind === 'streak')!.offset;
    const p = s.s['all_aggs@3'].l.slice(o, o + 4);
    expect([p[2], (p[3] as unknown[]).length]).toEqual([2, 1]);
    expect(evaluate(s, s.w as number, registry).all_aggs.values.streak).toBe(3);
  });
  it('rejects events of several entities in one call', () => {
    expect(() => fold([event('a', 1, 'lesson_sent'), event('b', 1, 'lesson_sent', { entityId: 'other' })])).toThrow(
      /one entity's events/,
    );
  });
  it('restarts a view whose definition changed (fingerprint) and reports it', () => {
    const s = fold([event('a', 1, 'lesson_sent')]).state;
    const changed = defineFeatureView({
      ...allAggregationsView,
      features: [{ name: 'n', aggregation: 'count', window: '7d' }],
    });
    const state = cloneState(s);
    const r = foldEvents(state, [event('b', 2, 'lesson_sent')], new FeatureRegistry([changed]));
    expect(r.initializedViews).toEqual(['all_aggs@3']);
    expect(evaluate(state, T0 + 3 * MIN, new FeatureRegistry([changed])).all_aggs.values.n).toBe(1);
  });
  it('drops the views the registry no longer has once it applies an event', () => {
    const extra = defineFeatureView({
      name: 'sent',
      version: 1,
      entity: 'learner',
      sources: ['lesson_sent'],
      features: [{ name: 'sent', aggregation: 'count' }],
    });
    const state = cloneState(
      applyEvents(emptyState(), [event('a', 1, 'lesson_sent')], new FeatureRegistry([allAggregationsView, extra]))
        .state,
    );
    foldEvents(state, [event('a', 1, 'lesson_sent')], registry);
    expect(Object.keys(state.s)).toEqual(['all_aggs@3', 'sent@1']);
    foldEvents(state, [event('b', 2, 'lesson_sent')], registry);
    expect(Object.keys(state.s)).toEqual(['all_aggs@3']);
  });
  it('ignores event types outside every view but still advances the watermark', () => {
    const r = fold([event('a', 5, 'unknown_type')]);
    expect([r.applied, r.state.w]).toEqual([1, T0 + 5 * MIN]);
    expect(evaluate(r.state, T0 + 5 * MIN, registry).all_aggs.values.n).toBe(0);
  });
});

describe('classifyEvents', () => {
  const occurrence = fc.record({ id: fc.integer({ min: 0, max: 30 }), minutes: fc.integer({ min: 0, max: 400 }) });
  it('decides each event as folding the list one event at a time would, and leaves the state as it was (property)', () => {
    fc.assert(
      fc.property(
        fc.array(occurrence, { maxLength: 30 }),
        fc.array(occurrence, { maxLength: 40 }),
        fc.constantFrom(0, 30, 60, 120),
        (before, batch, lateness) => {
          const r = new FeatureRegistry([allAggregationsView], { allowedLatenessMs: lateness * MIN });
          const state = emptyState();
          foldEvents(
            state,
            before.map((o) => event(`e${o.id}`, o.minutes, 'lesson_sent')),
            r,
          );
          const copy = cloneState(state);
          const list = batch.map((o) => event(`e${o.id}`, o.minutes, 'lesson_sent'));
          const verdicts = new Uint8Array(list.length + 3);
          const late = classifyEvents(state, list, r, verdicts, 3);
          expect(state).toEqual(copy);
          // The rules as the SPEC states them, one event after the other over a set of known ids.
          const known = new Set(state.d.keys());
          let w = state.w;
          const expected = list.map((e) => {
            if (known.has(e.eventId)) return Verdict.duplicate;
            if (w !== null && e.eventTimeMs < w - r.allowedLatenessMs) return Verdict.tooLate;
            known.add(e.eventId);
            w = w === null ? e.eventTimeMs : Math.max(w, e.eventTimeMs);
            return Verdict.apply;
          });
          expect([...verdicts.subarray(3)]).toEqual(expected);
          expect(late).toBe(expected.filter((v) => v === Verdict.tooLate).length);
          // And the fold follows them.
          const folded = foldEvents(copy, list, r);
          expect(folded.tooLate.map((e) => list.indexOf(e))).toEqual(
            expected.flatMap((v, k) => (v === Verdict.tooLate ? [k] : [])),
          );
          expect([folded.applied, folded.duplicates]).toEqual([
            expected.filter((v) => v === Verdict.apply).length,
            expected.filter((v) => v === Verdict.duplicate).length,
          ]);
        },
      ),
      { numRuns: 400 },
    );
  });
  it('treats a repeat of an id applied earlier in the list as a duplicate, and of one too late as too late again', () => {
    const s = fold([event('a', 120, 'lesson_sent')]).state;
    const list = [
      event('x', 100, 'lesson_sent'),
      event('x', 100, 'lesson_sent'),
      event('old', 10, 'lesson_sent'),
      event('old', 10, 'lesson_sent'),
    ];
    const verdicts = new Uint8Array(4);
    expect(classifyEvents(s, list, registry, verdicts)).toBe(2);
    expect([...verdicts]).toEqual([Verdict.apply, Verdict.duplicate, Verdict.tooLate, Verdict.tooLate]);
  });
  it('rejects a verdict array too short for the events', () => {
    expect(() => classifyEvents(emptyState(), [event('a', 1, 'lesson_sent')], registry, new Uint8Array(1), 1)).toThrow(
      RangeError,
    );
  });
});
