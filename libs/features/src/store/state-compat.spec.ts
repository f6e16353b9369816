// Stored states of the aggregations that existed before the plugin registry decode to the same state,
// keep their fingerprint (no rebuild on deploy), re-encode to the same bytes and evaluate as before.
import { defineFeatureView } from '../definition/feature-view.builder';
import { evaluate } from '../engine/evaluate';
import { FeatureRegistry, stateIsCurrent } from '../engine/feature-registry';
import { allAggregationsRegistry, answer, event } from '../testing/test-views';
import { replayEvents } from '../engine/replay';
import { LEGACY_FINGERPRINT, LEGACY_STATES, LEGACY_VIEW } from '../testing/legacy-states.fixture';
import { decodeStoredState, encodeStoredState } from './online-store';

const view = defineFeatureView(LEGACY_VIEW);
const registry = new FeatureRegistry([view], { allowedLatenessMs: 3_600_000 });

describe('states stored before aggregations became plugins', () => {
  it('keep their view fingerprint', () => expect(view.fingerprint).toBe(LEGACY_FINGERPRINT));
  it.each(LEGACY_STATES.map((s) => [s.entityId, s] as const))(
    '%s decodes, re-encodes and evaluates as before',
    (id, s) => {
      const bytes = Buffer.from(s.stored, 'base64');
      const stored = decodeStoredState(id, bytes);
      expect(stored?.version).toBe(7);
      const state = stored!.state;
      expect(stateIsCurrent(state, registry)).toBe(true);
      expect(encodeStoredState(state, 7).equals(bytes)).toBe(true);
      for (const { asOfMs, ...expected } of s.values)
        expect(evaluate(state, asOfMs, registry).legacy_aggs).toEqual(expected);
    },
  );
});

describe('states of topK and histogram', () => {
  it('round-trip through the store format: summaries, pending values and bucket counts', () => {
    const all = allAggregationsRegistry();
    const state = replayEvents(
      [
        answer('a', 1, true, 5),
        answer('b', 200, false, 50, 'sms'),
        event('c', 201, 'lesson_sent', { contentId: '19746' }),
        event('d', 202, 'lesson_sent', { contentId: 'é' }),
      ],
      all,
    );
    const back = decodeStoredState('x', encodeStoredState(state, 3))!.state;
    expect(back).toEqual(state);
    expect(evaluate(back, state.w as number, all).all_aggs.values).toMatchObject({
      top_channels: [
        { value: 'email', count: 2 },
        { value: 'sms', count: 1 },
        { value: 'web', count: 1 },
      ],
      top_contents_2h: [
        { value: '19746', count: 1 },
        { value: 'é', count: 1 },
      ],
      time_hist: [0, 1, 1, 0],
    });
  });
});
