import { InMemoryBus, type BusMessage } from '@pulse/bus';
import { CONTENT_TYPE_HEADER, decodeDeadLetter, encodeEngagementEvent, type EngagementEvent } from '@pulse/contracts';
import { ConnectionError } from '@pulse/core';
import { InMemoryOnlineStore, learningEngagementRegistry, StateCache } from '@pulse/features';
import type { EventLogRepository } from '@pulse/storage';
import { Registry } from 'prom-client';
import { loadConfig } from '@pulse/nest-common';
import { waitFor } from '@pulse/testing';
import { createFsMetrics } from '../app/feature-service.metrics';
import { loadFeatureServiceConfig } from '../config/feature-service.config';
import { IngestService } from './ingest.service';

// Unit test of the service alone: the event log is a stand-in so its failures can be provoked; the
// store, registry and DLQ publisher are the real in-process ones.
const t0 = Date.parse('2026-03-02T10:00:00Z');
const event = (id: string, minutes: number): EngagementEvent => ({ eventId: id, entityId: 'learner-1', eventType: 'lesson_sent', eventTimeMs: t0 + minutes * 60_000, channel: 'sms', attributes: {} });
const message = (value: Buffer, offset: number, contentType = 'application/x-protobuf'): BusMessage => ({
  topic: 'events', partition: 0, offset: String(offset), key: 'learner-1', value, headers: { [CONTENT_TYPE_HEADER]: contentType }, timestamp: t0,
});
const encoded = (e: EngagementEvent, offset: number) => message(Buffer.from(encodeEngagementEvent(e).bytes), offset);

function setUp(appendMany: EventLogRepository['appendMany']) {
  const config = loadConfig({ load: loadFeatureServiceConfig, env: { DLQ_TOPIC: 'dlq', ALLOWED_LATENESS_MS: '3600000' } });
  const bus = new InMemoryBus();
  const log = { appendMany, existing: async (events: unknown[]) => events.map(() => false), streamForEntities: async function* () {} } as unknown as EventLogRepository;
  const store = new InMemoryOnlineStore();
  const service = new IngestService(config, log, store, learningEngagementRegistry(), bus.createPublisher(), createFsMetrics(new Registry()), new StateCache());
  return { bus, store, service };
}

describe('IngestService', () => {
  it('dead-letters the bad and too-late records and applies the rest of the batch', async () => {
    const appended: string[] = [];
    const { bus, store, service } = setUp(async (events) => {
      appended.push(...events.map((e) => e.eventId));
      return { inserted: events.length, duplicateIds: [] };
    });
    const result = await service.ingestBatch([
      encoded(event('a', 180), 0),
      message(Buffer.from('{"event_id": 1'), 1, 'application/json'),
      encoded(event('b', 0), 2),
      encoded(event('c', 185), 3),
    ]);
    expect(result).toEqual({ received: 4, applied: 2, duplicates: 0, deadLettered: 2 });
    expect(appended).toEqual(['a', 'c']);
    expect((await store.getStates(['learner-1'])).get('learner-1')?.state.w).toBe(t0 + 185 * 60_000);
    const dead: string[] = [];
    const sub = await bus.subscribe({ groupId: 'g', topics: ['dlq'], fromBeginning: true, handler: async (b) => void dead.push(...b.map((m) => `${decodeDeadLetter(m.value).sourceOffset}:${decodeDeadLetter(m.value).reason}`)) });
    await waitFor(() => dead.length === 2, { message: 'two dead letters' });
    await sub.stop();
    expect(dead.sort()).toEqual(['1:undecodable', '2:too_late']);
    await bus.close();
  });

  it('turns an infrastructure failure into a retriable error, so the bus retries the batch', async () => {
    const { service, bus } = setUp(async () => {
      throw new Error('connection terminated unexpectedly');
    });
    const failure = service.ingestBatch([encoded(event('a', 0), 0)]);
    await expect(failure).rejects.toBeInstanceOf(ConnectionError);
    await expect(failure).rejects.toMatchObject({ retriable: true, message: expect.stringContaining('connection terminated unexpectedly') });
    await bus.close();
  });
});
