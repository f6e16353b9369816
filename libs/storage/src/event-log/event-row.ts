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
