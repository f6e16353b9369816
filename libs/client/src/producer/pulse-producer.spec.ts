import { partitionForKey } from '@pulse/bus';
import { ConnectionError, ValidationError } from '@pulse/core';
import { decodeEngagementEvent, LEARNING_ENGAGEMENT_CATALOG, nameBasedUuid } from '@pulse/contracts';
import { kafkaTestBrokers, randomName } from '@pulse/testing';
import { countRecords, readRaw } from '../testing/raw-topic';
import { EVENT_ID_NAMESPACE } from './event-id';
import { InvalidEventError } from './invalid-event.error';
import { PulseProducer, type EngagementEventInput, type PulseProducerOptions } from './pulse-producer';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MOCK_PARTITIONS = 4;
const T0 = Date.UTC(2024, 4, 1, 12);

describe('PulseProducer (mock cluster)', () => {
  const producers: PulseProducer[] = [];
  const make = (extra: Partial<PulseProducerOptions> = {}) => {
    const producer = new PulseProducer({
      brokers: kafkaTestBrokers(),
      idempotent: false,
      topic: randomName('client-events'),
      logLevel: 'nothing',
      env: {},
      ...extra,
    });
    producers.push(producer);
    return producer;
  };
  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.disconnect()));
  });

  const sent = (entityId: string, extra: Partial<EngagementEventInput> = {}): EngagementEventInput => ({
    entityId,
    eventType: 'assessment_answered',
    eventTimeMs: T0,
    channel: 'slack',
    contentId: 'lesson-42',
    attributes: { is_correct: true, time_taken_seconds: 12.5 },
    profile: { role: 'engineer', region: 'emea' },
    ...extra,
  });

  it.each([
    ['json', 'application/json'],
    ['proto', 'application/x-protobuf'],
  ] as const)(
    'publishes %s events keyed by entity with their content type, where the platform partitions them',
    async (format, contentType) => {
      const topic = randomName(`client-${format}`);
      const producer = make({ topic });
      const inputs = Array.from({ length: 12 }, (_, i) =>
        sent(`learner-${i % 5}`, { eventTimeMs: T0 + i, idempotencyKey: `row-${i}` }),
      );
      const published = await producer.publish(inputs, { format });
      const single = await producer.publish(sent('learner-9', { eventType: 'lesson_started', attributes: {} }), {
        format,
      });
      expect(published).toHaveLength(12);
      expect(single).toHaveLength(1);

      const records = await readRaw(topic, 13);
      expect(records).toHaveLength(13);
      const byId = new Map([...published, ...single].map((e) => [e.eventId, e]));
      for (const record of records) {
        expect(record.headers['content-type']).toBe(contentType);
        if (format === 'json') expect(record.value.toString('utf8').startsWith('{')).toBe(true);
        const decoded = decodeEngagementEvent(
          record.value,
          record.headers['content-type'],
          LEARNING_ENGAGEMENT_CATALOG,
        );
        if (!decoded.ok) throw new Error(`record at ${record.offset} refused: ${decoded.rejection.message}`);
        expect(decoded.format).toBe(format === 'json' ? 'json' : 'protobuf');
        expect(decoded.event).toEqual(byId.get(decoded.event.eventId));
        expect(record.key).toBe(decoded.event.entityId);
        expect(record.partition).toBe(partitionForKey(decoded.event.entityId, MOCK_PARTITIONS));
      }
    },
  );

  it('derives the event id from an idempotency key, keeps a given id, and makes a random UUID otherwise', async () => {
    const producer = make();
    const [a1, a2, b, given, r1, r2] = await producer.publish([
      sent('learner-1', { idempotencyKey: 'orders:17' }),
      sent('learner-1', { idempotencyKey: 'orders:17' }),
      sent('learner-1', { idempotencyKey: 'orders:18' }),
      sent('learner-1', { eventId: 'my-own-id' }),
      sent('learner-1'),
      sent('learner-1'),
    ]);
    expect(a1.eventId).toBe(a2.eventId);
    expect(a1.eventId).toBe(nameBasedUuid(EVENT_ID_NAMESPACE, 'orders:17'));
    expect(b.eventId).not.toBe(a1.eventId);
    expect(given.eventId).toBe('my-own-id');
    expect(r1.eventId).toMatch(UUID_V4);
    expect(r2.eventId).toMatch(UUID_V4);
    expect(r1.eventId).not.toBe(r2.eventId);
  });

  const refusals: Array<[string, EngagementEventInput, string, string]> = [
    ['no entity', sent(''), 'missing_field', 'entityId'],
    ['a fractional event time', sent('l', { eventTimeMs: T0 + 0.5 }), 'invalid_value', 'eventTimeMs'],
    ['an event time far ahead', sent('l', { eventTimeMs: Date.now() + 3_600_000 }), 'future_event_time', 'eventTimeMs'],
    ['an unknown event type', sent('l', { eventType: 'lesson_liked' }), 'unknown_event_type', 'eventType'],
    ['an unknown channel', sent('l', { channel: 'fax' as never }), 'invalid_value', 'channel'],
    [
      'a missing attribute',
      sent('l', { attributes: { is_correct: true } }),
      'missing_field',
      'attributes.time_taken_seconds',
    ],
    [
      'an attribute of the wrong type',
      sent('l', { attributes: { is_correct: 'yes', time_taken_seconds: 3 } as never }),
      'wrong_type',
      'attributes.is_correct',
    ],
    ['a misspelt field', { ...sent('l'), entity_id: 'l' } as EngagementEventInput, 'unknown_field', 'entity_id'],
    ['an id and a key', sent('l', { eventId: 'e', idempotencyKey: 'k' }), 'invalid_value', 'idempotencyKey'],
  ];
  it.each(refusals)(
    'refuses %s naming the field, and sends nothing of the call',
    async (_label, bad, reason, field) => {
      const topic = randomName('client-refused');
      const producer = make({ topic });
      const error = await producer.publish([sent('learner-1'), bad]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ index: 1, reason, field });
      expect((error as Error).message).toMatch(/^event 1: /);
      expect(await countRecords(topic)).toBe(0);
    },
  );

  it('refuses an unknown format', async () => {
    await expect(make().publish(sent('l'), { format: 'avro' as never })).rejects.toThrow(
      new TypeError(`format must be 'json' or 'proto', got "avro"`),
    );
  });

  it('says what to change when the cluster cannot serve an idempotent producer', async () => {
    const producer = make({ idempotent: true, retries: 0 });
    const error = await producer.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/idempotent: false or KAFKA_IDEMPOTENT=false/);
  });

  it('refuses to publish after disconnect', async () => {
    const producer = make();
    await producer.publish(sent('l'));
    await producer.disconnect();
    await expect(producer.publish(sent('l'))).rejects.toThrow('PulseProducer is disconnected');
  });
});
