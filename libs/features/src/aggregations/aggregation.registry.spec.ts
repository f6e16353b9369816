// Every registered aggregation, whatever its plugin, against the engine's contract: its partial is a
// function of the set of events (any arrival order within the lateness gives the replay's state and
// values), lifetime and windowed alike. A new aggregation is covered here once it is in the registry.
import fc from 'fast-check';
import { CHANNELS } from '@pulse/contracts';
import { defineFeatureView } from '../definition/feature-view.builder';
import type { FeatureDefinition } from '../definition/feature-view.types';
import { applyEvents } from '../engine/apply-events';
import { emptyState, type EntityState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import { FeatureRegistry } from '../engine/feature-registry';
import { evaluateOffline, replayEvents } from '../engine/replay';
import { LEARNING_EVENT_SCHEMA } from '../learning-engagement/event-schema';
import { answer, HOUR, MIN } from '../testing/test-views';
import { AGGREGATION_SPECS, AGGREGATIONS } from './aggregation.registry';
import { isDerived, type FieldRequirement } from './aggregation.types';

const FIELD: Record<FieldRequirement, FeatureDefinition['of']> = {
  optional: undefined,
  any: 'channel',
  numeric: 'attributes.time_taken_seconds',
  boolean: 'attributes.is_correct',
  categorical: 'channel',
};
const OPTION_VALUES: Record<string, unknown> = { k: 2, edges: [10, 100], decimals: 2 };

const features: FeatureDefinition[] = [];
for (const spec of AGGREGATION_SPECS) {
  if (isDerived(spec)) continue;
  const options = Object.fromEntries(Object.keys(spec.options).map((o) => [o, OPTION_VALUES[o]]));
  const base = { aggregation: spec.name, of: FIELD[spec.field], ...options } as Omit<FeatureDefinition, 'name'>;
  features.push({ ...base, name: `${spec.name.toLowerCase()}_all` } as FeatureDefinition);
  if (spec.windowed)
    features.push({ ...base, name: `${spec.name.toLowerCase()}_3h`, window: '3h', tile: '1h' } as FeatureDefinition);
}
features.push({ name: 'ratio_all', aggregation: 'ratio', numerator: 'sum_all', denominator: 'count_all' });
const view = defineFeatureView({
  name: 'each',
  version: 1,
  entity: 'learner',
  sources: ['assessment_answered'],
  schema: LEARNING_EVENT_SCHEMA,
  features,
});

describe('aggregation registry', () => {
  it('lists every aggregation once, by name', () => {
    expect(AGGREGATIONS).toEqual(AGGREGATION_SPECS.map((s) => s.name));
    expect(new Set(AGGREGATIONS).size).toBe(AGGREGATIONS.length);
  });

  it('every aggregation is order-free: arrival order within the lateness gives the replay', () => {
    const lateness = 45 * MIN;
    const registry = new FeatureRegistry([view], { allowedLatenessMs: lateness });
    const arb = fc.array(
      fc.record({
        minute: fc.integer({ min: 0, max: 10 * 60 }),
        delay: fc.integer({ min: 0, max: 45 }),
        correct: fc.boolean(),
        seconds: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.double({ min: -5, max: 500, noNaN: true })),
        channel: fc.constantFrom(...CHANNELS),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 9 }), (raw, batch) => {
        const events = raw.map((r, i) => ({
          e: answer(`e${String(i).padStart(2, '0')}`, r.minute, r.correct, r.seconds, r.channel),
          arrival: r.minute + r.delay,
        }));
        const arrivals = [...events].sort((a, b) => a.arrival - b.arrival).map((x) => x.e);
        let state: EntityState = emptyState();
        for (let i = 0; i < arrivals.length; i += batch) {
          const r = applyEvents(state, arrivals.slice(i, i + batch), registry);
          expect(r.tooLate).toEqual([]);
          state = r.state;
        }
        const log = events.map((x) => x.e);
        expect(state).toEqual(replayEvents(log, registry));
        for (const off of [0, 59 * MIN, 2 * HOUR, 5 * HOUR]) {
          const T = (state.w as number) + off;
          expect(evaluate(state, T, registry)).toEqual(evaluateOffline(log, T, registry));
        }
      }),
      { numRuns: 80 },
    );
  });
});
