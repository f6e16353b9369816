import { LEARNING_ENGAGEMENT_CATALOG } from '../catalog/learning-engagement.catalog';
import { REJECTION_REASONS, tooLateRejection } from '../validation/event-rejection';
import { decodeEngagementEvent } from '../wire/engagement-event.codec';
import { deadLetterFor, decodeDeadLetter, decodeDeadLetterJson, encodeDeadLetter } from './dead-letter.codec';

const source = {
  originalContentType: 'application/json',
  sourceTopic: 'engagement.events.v1',
  sourcePartition: 2,
  sourceOffset: '9007199254740993', // beyond 2^53: offsets must survive as strings
  sourceKey: 'learner-1',
  failedAtMs: Date.UTC(2024, 4, 1, 12, 0, 0, 250),
  service: 'feature-service',
};

describe('dead letters', () => {
  const original = new TextEncoder().encode(
    '{"event_id":"e1","entity_id":"l1","event_type":"nope","event_time":0,"channel":"web"}',
  );
  const decoded = decodeEngagementEvent(original, 'application/json', LEARNING_ENGAGEMENT_CATALOG, { nowMs: 1 });
  if (decoded.ok) throw new Error('expected a rejection');
  const record = deadLetterFor(decoded.rejection, { ...source, original });

  it('carries the rejection', () =>
    expect(record).toMatchObject({ reason: 'unknown_event_type', field: 'event_type' }));
  it('round-trips through protobuf', () => expect(decodeDeadLetter(encodeDeadLetter(record))).toEqual(record));
  it('keeps the original bytes exactly', () =>
    expect(Buffer.from(decodeDeadLetter(encodeDeadLetter(record)).original).equals(Buffer.from(original))).toBe(true));

  it('has a JSON view for ops', () => {
    expect(decodeDeadLetterJson(encodeDeadLetter(record))).toEqual({
      reason: 'unknown_event_type',
      message: "event_type 'nope' is not in the catalog 'learning-engagement'",
      field: 'event_type',
      original_base64: Buffer.from(original).toString('base64'),
      original_text: new TextDecoder().decode(original),
      original_content_type: 'application/json',
      source_topic: 'engagement.events.v1',
      source_partition: 2,
      source_offset: '9007199254740993',
      source_key: 'learner-1',
      failed_at: '2024-05-01T12:00:00.250Z',
      service: 'feature-service',
    });
  });

  it('leaves binary originals out of the text view and keeps optional fields absent', () => {
    const binary = deadLetterFor(
      { reason: 'undecodable', message: 'bad' },
      { ...source, sourceKey: undefined, original: new Uint8Array([0x0a, 0xff, 0x00]) },
    );
    const view = decodeDeadLetterJson(encodeDeadLetter(binary));
    expect(view.original_text).toBeUndefined();
    expect(view.field).toBeUndefined();
    expect(view.source_key).toBeUndefined();
    expect(view.original_base64).toBe('Cv8A');
  });

  it('carries a late event as the declared too_late reason on event_time', () => {
    const late = deadLetterFor(tooLateRejection(60_000), { ...source, original });
    expect(REJECTION_REASONS).toContain(late.reason);
    expect(decodeDeadLetter(encodeDeadLetter(late))).toMatchObject({
      reason: 'too_late',
      field: 'event_time',
      message: "event time is more than 60000 ms behind the entity's newest event; it cannot be applied exactly",
    });
  });
});
