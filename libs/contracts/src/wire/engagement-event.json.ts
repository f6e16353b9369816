import type { EngagementEvent } from '../engagement-event/engagement-event';
import type { EventCandidate } from '../validation/validate-engagement-event';

/**
 * The JSON form of an EngagementEvent: snake_case names as in the .proto (camelCase proto-JSON
 * names are accepted too), event_time as an RFC 3339 string or epoch ms, channel as a lowercase
 * name, attributes as a flat object of booleans / numbers / strings.
 */
export interface EngagementEventJson {
  event_id: string;
  entity_id: string;
  event_type: string;
  event_time: string | number;
  channel: string;
  content_id?: string;
  attributes?: Record<string, string | number | boolean>;
  profile?: { role?: string; region?: string };
}

const FIELDS: ReadonlyArray<readonly [keyof EventCandidate, string, string]> = [
  ['eventId', 'event_id', 'eventId'],
  ['entityId', 'entity_id', 'entityId'],
  ['eventType', 'event_type', 'eventType'],
  ['eventTime', 'event_time', 'eventTime'],
  ['channel', 'channel', 'channel'],
  ['contentId', 'content_id', 'contentId'],
  ['attributes', 'attributes', 'attributes'],
  ['profile', 'profile', 'profile'],
];
const KNOWN_KEYS = new Set(FIELDS.flatMap(([, snake, camel]) => [snake, camel]));
const WRAPPED_VALUE_KEYS = new Set([
  'bool_value',
  'boolValue',
  'number_value',
  'numberValue',
  'string_value',
  'stringValue',
]);

/** Proto JSON writes an AttributeValue as {"boolValue": true}; accept that spelling as well as the flat one. */
function unwrapAttributes(attributes: unknown): unknown {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return attributes;
  let out: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const keys = Object.keys(value);
    if (keys.length === 1 && WRAPPED_VALUE_KEYS.has(keys[0])) {
      out ??= { ...(attributes as Record<string, unknown>) };
      out[name] = (value as Record<string, unknown>)[keys[0]];
    }
  }
  return out ?? attributes;
}

/** Maps a parsed JSON value onto the wire-neutral candidate; judges nothing (validation does). */
export function jsonToCandidate(obj: Record<string, unknown>): EventCandidate {
  const candidate: Record<string, unknown> = {};
  const duplicates: string[] = [];
  for (const [key, snake, camel] of FIELDS) {
    const hasSnake = Object.prototype.hasOwnProperty.call(obj, snake);
    const hasCamel = snake !== camel && Object.prototype.hasOwnProperty.call(obj, camel);
    if (hasSnake && hasCamel) duplicates.push(snake);
    candidate[key] = hasSnake ? obj[snake] : hasCamel ? obj[camel] : undefined;
  }
  candidate.attributes = unwrapAttributes(candidate.attributes);
  const unknown = Object.keys(obj)
    .filter((k) => !KNOWN_KEYS.has(k))
    .sort();
  if (unknown.length > 0) candidate.unknownFields = unknown;
  if (duplicates.length > 0) candidate.duplicateFields = duplicates;
  return candidate as EventCandidate;
}

export function engagementEventToJson(event: EngagementEvent): EngagementEventJson {
  const json: EngagementEventJson = {
    event_id: event.eventId,
    entity_id: event.entityId,
    event_type: event.eventType,
    event_time: new Date(event.eventTimeMs).toISOString(),
    channel: event.channel,
  };
  if (event.contentId !== undefined) json.content_id = event.contentId;
  json.attributes = { ...event.attributes };
  if (event.profile !== undefined) json.profile = { ...event.profile };
  return json;
}
