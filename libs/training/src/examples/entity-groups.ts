import type { EngagementEvent } from '@pulse/contracts';

/** A log's events: in memory, or streamed event by event or page by page (as the event log pages them). */
export type EventStream = Iterable<EngagementEvent> | AsyncIterable<EngagementEvent | readonly EngagementEvent[]>;

export interface EntityGroup {
  readonly entityId: string;
  readonly events: EngagementEvent[];
}

/**
 * One entity's events at a time from a stream grouped by entity. Unlike a `for await` per event, an
 * in-memory array is walked synchronously and a paged stream awaited once per page: at millions of
 * events the per-event microtask was a tenth of the replay. An entity reappearing after another is an
 * error (the examples would see only part of its history).
 */
export function entityGroups(input: EventStream): AsyncIterable<EntityGroup> | Iterable<EntityGroup> {
  return Symbol.asyncIterator in input ? groupPages(input) : groupSync(input);
}

class Grouper {
  private readonly seen = new Set<string>();
  private current: EntityGroup | undefined;

  /** Adds an event; returns the finished group when the event starts a new entity. */
  push(e: EngagementEvent): EntityGroup | undefined {
    if (this.current !== undefined && e.entityId === this.current.entityId) {
      this.current.events.push(e);
      return undefined;
    }
    if (this.seen.has(e.entityId))
      throw new RangeError(`the event stream is not grouped by entity: ${e.entityId} reappears after other entities`);
    this.seen.add(e.entityId);
    const done = this.current;
    this.current = { entityId: e.entityId, events: [e] };
    return done;
  }

  finish(): EntityGroup | undefined {
    return this.current;
  }
}

function* groupSync(events: Iterable<EngagementEvent>): Generator<EntityGroup> {
  const g = new Grouper();
  for (const e of events) {
    const done = g.push(e);
    if (done) yield done;
  }
  const last = g.finish();
  if (last) yield last;
}

async function* groupPages(
  input: AsyncIterable<EngagementEvent | readonly EngagementEvent[]>,
): AsyncGenerator<EntityGroup> {
  const g = new Grouper();
  for await (const item of input) {
    const page = Array.isArray(item) ? (item as readonly EngagementEvent[]) : [item as EngagementEvent];
    for (const e of page) {
      const done = g.push(e);
      if (done) yield done;
    }
  }
  const last = g.finish();
  if (last) yield last;
}
