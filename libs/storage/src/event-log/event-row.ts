import type { Channel, EngagementEvent } from '@pulse/contracts';

/** Columns a replay reads, in the shape the pg driver returns them (bigint as text, json parsed). */
export interface EventRow {
  readonly event_id: string;
  readonly entity_id: string;
  readonly event_type: string;
  readonly event_time_ms: string;
  readonly channel: string;
  readonly content_id: string | null;
  readonly attributes: Record<string, string | number | boolean>;
  readonly profile: { role?: string; region?: string } | null;
}

export const EVENT_COLUMNS = 'event_id, entity_id, event_type, event_time_ms, channel, content_id, attributes, profile';

/** Rebuilds the event exactly as appended: absent optional fields stay absent rather than null. */
export function eventFromRow(row: EventRow): EngagementEvent {
  return {
    eventId: row.event_id,
    entityId: row.entity_id,
    eventType: row.event_type,
    eventTimeMs: Number(row.event_time_ms),
    channel: row.channel as Channel,
    ...(row.content_id !== null ? { contentId: row.content_id } : {}),
    attributes: row.attributes,
    ...(row.profile !== null ? { profile: row.profile } : {}),
  };
}

/**
 * A page of events as one JSON array of positional rows (json_agg over json_build_array of
 * EVENT_COLUMNS): the driver parses one value per page instead of eight per row, which halves the
 * replay's decoding cost in Node (the query's extra JSON building runs in Postgres, beside it).
 */
export const EVENT_PAGE_ELEMENT = `json_build_array(${EVENT_COLUMNS})`;

/** One element of an EVENT_PAGE_ELEMENT page, in EVENT_COLUMNS order (bigint is a JSON number). */
export type EventTuple = readonly [
  eventId: string,
  entityId: string,
  eventType: string,
  eventTimeMs: number,
  channel: string,
  contentId: string | null,
  attributes: Record<string, string | number | boolean>,
  profile: { role?: string; region?: string } | null,
];

/** eventFromRow for a page element; one object literal per shape (no spread temporaries: a replay builds millions). */
export function eventFromTuple(t: EventTuple): EngagementEvent {
  const channel = t[4] as Channel;
  if (t[5] !== null) {
    return t[7] !== null
      ? {
          eventId: t[0],
          entityId: t[1],
          eventType: t[2],
          eventTimeMs: t[3],
          channel,
          contentId: t[5],
          attributes: t[6],
          profile: t[7],
        }
      : {
          eventId: t[0],
          entityId: t[1],
          eventType: t[2],
          eventTimeMs: t[3],
          channel,
          contentId: t[5],
          attributes: t[6],
        };
  }
  return t[7] !== null
    ? { eventId: t[0], entityId: t[1], eventType: t[2], eventTimeMs: t[3], channel, attributes: t[6], profile: t[7] }
    : { eventId: t[0], entityId: t[1], eventType: t[2], eventTimeMs: t[3], channel, attributes: t[6] };
}
