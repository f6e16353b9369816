import type { EngagementEvent } from '@pulse/contracts';
import { decodeEngagementEvent, encodeEngagementEvent, LEARNING_ENGAGEMENT_CATALOG } from '@pulse/contracts';
import { INVALID_EVENT_KINDS, makeInvalidEvent } from './injection';
import { createSimulation } from './simulation';
import type { InvalidEventKind } from './simulation-options';
import { HOUR_MS } from './simulation-options';

const START = Date.UTC(2024, 2, 1);
const base = { seed: 3, learners: 120, days: 14, startTimeMs: START };

describe('fault injection', () => {
  const clean = [...createSimulation(base)];
  const kinds: InvalidEventKind[] = [];
  const faulty = createSimulation({
    ...base,
    duplicateFraction: 0.05,
    lateFraction: 0.1,
    maxLatenessMs: 2 * HOUR_MS,
    invalidFraction: 0.02,
    onInvalid: (k) => kinds.push(k),
  });
  const events = [...faulty];
  const { duplicates, late, invalid } = faulty.stats;

  it('injects about the requested fractions (binomial, 5 sd)', () => {
    const n = clean.length;
    const within = (count: number, p: number) =>
      expect(Math.abs(count - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    within(duplicates, 0.05);
    within(late, 0.1);
    within(invalid, 0.02);
    expect(events.length).toBe(n + duplicates + invalid);
    expect(kinds.length).toBe(invalid);
  });

  it('leaves the underlying events unchanged (own PRNG stream)', () => {
    const seen = new Map<string, EngagementEvent>();
    for (const e of events) if (!e.eventId.endsWith('-bad')) seen.set(e.eventId, e);
    expect(
      [...seen.values()].sort((a, b) => a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : 1)),
    ).toEqual([...clean].sort((a, b) => a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : 1)));
  });

  it('resends duplicates with the same event_id and content', () => {
    const byId = new Map<string, EngagementEvent[]>();
    for (const e of events) byId.set(e.eventId, [...(byId.get(e.eventId) ?? []), e]);
    const repeated = [...byId.values()].filter((copies) => copies.length > 1);
    expect(repeated.length).toBe(duplicates);
    repeated.forEach(([first, ...rest]) => rest.forEach((copy) => expect(copy).toEqual(first)));
  });

  it('delivers late events out of order, but never later than maxLatenessMs', () => {
    let high = -Infinity;
    let outOfOrder = 0;
    let worst = 0;
    for (const e of events) {
      if (e.eventId.endsWith('-bad')) continue;
      if (e.eventTimeMs < high) {
        outOfOrder++;
        worst = Math.max(worst, high - e.eventTimeMs);
      }
      high = Math.max(high, e.eventTimeMs);
    }
    expect(outOfOrder).toBeGreaterThan(late / 2);
    expect(worst).toBeLessThanOrEqual(2 * HOUR_MS);
  });

  it('injects invalid events that the decoder rejects with the matching reason', () => {
    const expected: Record<InvalidEventKind, string> = {
      unknown_event_type: 'unknown_event_type event_type',
      missing_attribute: 'missing_field attributes.is_correct',
      wrong_type_attribute: 'wrong_type attributes.is_correct',
      out_of_range_attribute: 'invalid_value attributes.completion_percentage',
      unknown_attribute: 'unknown_field attributes.mood',
      missing_entity_id: 'missing_field entity_id',
      future_event_time: 'future_event_time event_time',
    };
    const sample = clean[100];
    for (const kind of INVALID_EVENT_KINDS) {
      for (const format of ['protobuf', 'json'] as const) {
        const { bytes, contentType } = encodeEngagementEvent(makeInvalidEvent(sample, kind), format);
        const r = decodeEngagementEvent(bytes, contentType, LEARNING_ENGAGEMENT_CATALOG, { nowMs: faulty.endTimeMs });
        expect([kind, format, r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field}`]).toEqual([
          kind,
          format,
          expected[kind],
        ]);
      }
    }
    const bad = events.filter((e) => e.eventId.endsWith('-bad'));
    expect(bad.length).toBe(invalid);
    const rejected = bad.filter((e) => {
      const { bytes, contentType } = encodeEngagementEvent(e, 'protobuf');
      return !decodeEngagementEvent(bytes, contentType, LEARNING_ENGAGEMENT_CATALOG, { nowMs: faulty.endTimeMs }).ok;
    });
    expect(rejected.length).toBe(bad.length);
  });

  it('injects nothing by default', () => {
    const s = createSimulation(base);
    const n = [...s].length;
    expect(s.stats).toMatchObject({ duplicates: 0, late: 0, invalid: 0, events: n });
  });
});
