import { Column, Entity } from 'typeorm';

/**
 * One row per accepted engagement event. The schema itself is owned by the hand-written
 * migrations (synchronize is never on); this entity documents it for TypeORM users.
 *
 * Choices:
 * - (entity_id, event_time_ms, event_id) is the primary key and the only index: it is the order
 *   replays read in, and its uniqueness makes appends idempotent (a re-sent or redelivered event has
 *   the same entity, time and id). One B-tree per event is what lets an append cost ~7 µs of
 *   Postgres CPU per event (EventLogEntityKey).
 * - `event_time_ms` is epoch milliseconds as bigint: exact, and the unit the feature code uses.
 * - ids use the "C" collation so the database orders them byte-wise, as JavaScript code does;
 *   replay order (entity, time, event id) then matches the online path's tie-breaking.
 * - attributes and profile are json, not jsonb: only appended and replayed, never queried inside,
 *   and jsonb's conversion cost a fifth of the append's database CPU (see EventLogJsonPayload).
 */
@Entity({ name: 'event_log' })
export class EventLogEntity {
  @Column({ name: 'entity_id', type: 'text', primary: true, collation: 'C' })
  entityId!: string;

  @Column({ name: 'event_time_ms', type: 'bigint', primary: true })
  eventTimeMs!: string;

  @Column({ name: 'event_id', type: 'text', primary: true, collation: 'C' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'channel', type: 'text' })
  channel!: string;

  @Column({ name: 'content_id', type: 'text', nullable: true })
  contentId!: string | null;

  @Column({ name: 'attributes', type: 'json' })
  attributes!: Record<string, string | number | boolean>;

  @Column({ name: 'profile', type: 'json', nullable: true })
  profile!: { role?: string; region?: string } | null;

  @Column({ name: 'ingested_at', type: 'timestamptz', default: () => 'now()' })
  ingestedAt!: Date;
}
