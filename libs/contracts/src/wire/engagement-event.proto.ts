import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type {
  AttributeValue as AttributeValueMessage,
  EngagementEvent as EngagementEventMessage,
} from '../gen/pulse/v1/engagement_event_pb';
import {
  AttributeValueSchema,
  Channel as ChannelEnum,
  EngagementEventSchema,
  ProfileSchema,
} from '../gen/pulse/v1/engagement_event_pb';
import type { Channel, EngagementEvent } from '../engagement-event/engagement-event';
import type { EventCandidate } from '../validation/validate-engagement-event';

const CHANNEL_TO_ENUM: Record<Channel, ChannelEnum> = {
  slack: ChannelEnum.SLACK,
  sms: ChannelEnum.SMS,
  email: ChannelEnum.EMAIL,
  web: ChannelEnum.WEB,
};

interface HasUnknown {
  $unknown?: ReadonlyArray<{ no: number }>;
}

function unknownPaths(message: HasUnknown | undefined, prefix: string): string[] {
  return (message?.$unknown ?? []).map((f) => `${prefix}#${f.no}`);
}

/** Maps a decoded protobuf message onto the wire-neutral candidate; judges nothing (validation does). */
export function protoToCandidate(msg: EngagementEventMessage): EventCandidate {
  const attributes: Record<string, unknown> = {};
  const unknownFields = [
    ...unknownPaths(msg, ''),
    ...unknownPaths(msg.profile, 'profile.'),
    ...unknownPaths(msg.eventTime, 'event_time.'),
  ];
  for (const [name, value] of Object.entries(msg.attributes)) {
    attributes[name] = value.kind.value;
    unknownFields.push(...unknownPaths(value, `attributes.${name}.`));
  }
  const ts = msg.eventTime;
  // A Timestamp with nanos outside [0, 1e9) is malformed; NaN makes validation reject it as invalid_value.
  const eventTime =
    ts === undefined
      ? undefined
      : ts.nanos < 0 || ts.nanos > 999_999_999
        ? NaN
        : Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
  return {
    eventId: msg.eventId,
    entityId: msg.entityId,
    eventType: msg.eventType,
    eventTime,
    channel: msg.channel,
    contentId: msg.contentId,
    attributes,
    profile: msg.profile === undefined ? undefined : { role: msg.profile.role, region: msg.profile.region },
    ...(unknownFields.length > 0 ? { unknownFields } : {}),
  };
}

function attributeToMessage(value: string | number | boolean): AttributeValueMessage {
  if (typeof value === 'boolean') return create(AttributeValueSchema, { kind: { case: 'boolValue', value } });
  if (typeof value === 'number') return create(AttributeValueSchema, { kind: { case: 'numberValue', value } });
  return create(AttributeValueSchema, { kind: { case: 'stringValue', value } });
}

/** Encodes faithfully (no validation): producers of deliberately bad events for DLQ tests rely on it. */
export function engagementEventToProto(event: EngagementEvent): EngagementEventMessage {
  const attributes: Record<string, AttributeValueMessage> = {};
  for (const [name, value] of Object.entries(event.attributes)) attributes[name] = attributeToMessage(value);
  return create(EngagementEventSchema, {
    eventId: event.eventId,
    entityId: event.entityId,
    eventType: event.eventType,
    eventTime: timestampFromMs(event.eventTimeMs),
    channel: CHANNEL_TO_ENUM[event.channel] ?? ChannelEnum.UNSPECIFIED,
    contentId: event.contentId,
    attributes,
    profile:
      event.profile === undefined
        ? undefined
        : create(ProfileSchema, { role: event.profile.role, region: event.profile.region }),
  });
}
