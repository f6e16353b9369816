/**
 * The validated, in-memory shape of an engagement event that every library works with. The wire
 * formats (protobuf from proto/pulse/v1/engagement_event.proto, or JSON) decode into this.
 */
export type Channel = 'slack' | 'sms' | 'email' | 'web';
export const CHANNELS: readonly Channel[] = ['slack', 'sms', 'email', 'web'];

export type AttributeValue = string | number | boolean;

export interface ProfileAttributes {
  readonly role?: string;
  readonly region?: string;
}

export interface EngagementEvent {
  /** Unique per event; the idempotency key for every effect. */
  readonly eventId: string;
  /** The entity the event is about (a learner); also the partition key. */
  readonly entityId: string;
  readonly eventType: string;
  /** Event time, epoch milliseconds (UTC). */
  readonly eventTimeMs: number;
  readonly channel: Channel;
  readonly contentId?: string;
  /** Typed attributes, checked against the event type's declared schema. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly profile?: ProfileAttributes;
}
