import { InMemoryBus, type BusMessage } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  encodeEngagementEvent,
  type DeadLetterRecord,
  type EngagementEvent,
} from '@pulse/contracts';
import { ConnectionError } from '@pulse/core';
import { InMemoryOnlineStore, learningEngagementRegistry, StateCache } from '@pulse/features';
import type { DeadLetterWriter, EventLogRepository } from '@pulse/storage';
import { Registry } from 'prom-client';
import { loadConfig } from '@pulse/nest-common';
import { createFsMetrics } from '../app/feature-service.metrics';
import { loadFeatureServiceConfig } from '../config/feature-service.config';
import { IngestService } from './ingest.service';
import { IngestStatus } from './ingest-status';

// Unit test of the service alone: the event log is a stand-in so its failures can be provoked; the
// store, registry and DLQ publisher are the real in-process ones.
const t0 = Date.parse('2026-03-02T10:00:00Z');
const event = (id: string, minutes: number): EngagementEvent => ({
  eventId: id,
  entityId: 'learner-1',
  eventType: 'lesson_sent',
  eventTimeMs: t0 + minutes * 60_000,
  channel: 'sms',
  attributes: {},
});
const message = (value: Buffer, offset: number, contentType = 'application/x-protobuf'): BusMessage => ({
  topic: 'events',
  partition: 0,
  offset: String(offset),
  key: 'learner-1',
  value,
  headers: { [CONTENT_TYPE_HEADER]: contentType },
  timestamp: t0,
});
const encoded = (e: EngagementEvent, offset: number) => message(Buffer.from(encodeEngagementEvent(e).bytes), offset);

function setUp(appendMany: EventLogRepository['appendMany']) {
  const config = loadConfig({
    load: loadFeatureServiceConfig,
    env: { DLQ_TOPIC: 'dlq', ALLOWED_LATENESS_MS: '3600000' },
  });
  const bus = new InMemoryBus();
  const log = {
    appendMany,
    existing: async (events: unknown[]) => events.map(() => false),
    streamForEntities: async function* () {},
  } as unknown as EventLogRepository;
  const store = new InMemoryOnlineStore();
  const status = new IngestStatus();
  // The outbox's contract (durable, once per source record) kept in memory; its own specs run it on Postgres.
  const written = new Map<string, DeadLetterRecord>();
  const outbox: DeadLetterWriter = {
    write: async (records) => {
      const fresh = records.filter((r) => !written.has(`${r.sourcePartition}:${r.sourceOffset}`));
      for (const r of fresh) written.set(`${r.sourcePartition}:${r.sourceOffset}`, r);
      return { added: fresh.length, duplicates: records.length - fresh.length, addedByReason: {} };
    },
  };
  const service = new IngestService(
    config,
    log,
    store,
    learningEngagementRegistry(),
    outbox,
    createFsMetrics(new Registry()),
    new StateCache(),
    status,
  );
  const deadLetters = () =>
    [...written.values()].map((d) => `${d.sourceOffset}:${d.reason}${d.field ? `:${d.field}` : ''}`).sort();
  return { bus, store, service, status, deadLetters };
}

describe('IngestService', () => {
  it('dead-letters the bad and too-late records and applies the rest of the batch', async () => {
    const appended: string[] = [];
    const { bus, store, service, deadLetters } = setUp(async (events) => {
      appended.push(...events.map((e) => e.eventId));
      return { inserted: events.length, duplicateIds: [], conflicts: [] };
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
    expect(deadLetters()).toEqual(['1:undecodable', '2:too_late:event_time']);
    // Redelivered (a crash before the commit): nothing is dead-lettered twice.
    await service.ingestBatch([
      message(Buffer.from('{"event_id": 1'), 1, 'application/json'),
      encoded(event('b', 0), 2),
    ]);
    expect(deadLetters()).toEqual(['1:undecodable', '2:too_late:event_time']);
    await bus.close();
  });

  it('isolates a record the log refuses: dead-lettered with the column, the rest of the batch applied', async () => {
    const appended: string[] = [];
    const { bus, store, service, status, deadLetters } = setUp(async (events) => {
      if (events.some((e) => e.eventId === 'poison')) {
        throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
          code: '22021',
          where: 'COPY event_log, line 2, column content_id: "a"',
        });
      }
      appended.push(...events.map((e) => e.eventId));
      return { inserted: events.length, duplicateIds: [], conflicts: [] };
    });
    const ids = ['a', 'b', 'poison', 'c', 'd'];
    const result = await service.ingestBatch(ids.map((id, i) => encoded(event(id, i), i)));
    expect(result).toEqual({ received: 5, applied: 4, duplicates: 0, deadLettered: 1 });
    expect(appended.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...(await store.getStates(['learner-1'])).get('learner-1')!.state.d.keys()].sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(deadLetters()).toEqual(['2:storage_rejected:content_id']);
    await expect(status.check()).resolves.toBeUndefined();
    await bus.close();
  });

  it('writes no state before the log took its events, and reports ingest down until a batch succeeds', async () => {
    let down = true;
    const { bus, store, service, status } = setUp(async (events) => {
      if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return { inserted: events.length, duplicateIds: [], conflicts: [] };
    });
    await expect(service.ingestBatch([encoded(event('a', 0), 0)])).rejects.toBeInstanceOf(ConnectionError);
    expect((await store.getStates(['learner-1'])).size).toBe(0);
    await expect(status.check()).rejects.toThrow(/ingest: events:0 failing since .*ECONNREFUSED/);
    down = false;
    expect(await service.ingestBatch([encoded(event('a', 0), 0)])).toMatchObject({ applied: 1 });
    await expect(status.check()).resolves.toBeUndefined();
    await bus.close();
  });

  it('leaves out of the state an event whose id the log holds at another time, counted as a duplicate', async () => {
    const { bus, store, service } = setUp(async (events) => {
      const conflicts = events.filter((e) => e.eventId === 'x');
      return { inserted: events.length - conflicts.length, duplicateIds: [], conflicts };
    });
    const result = await service.ingestBatch([encoded(event('x', 90), 0), encoded(event('y', 91), 1)]);
    expect(result).toEqual({ received: 2, applied: 1, duplicates: 1, deadLettered: 0 });
    expect([...(await store.getStates(['learner-1'])).get('learner-1')!.state.d.keys()]).toEqual(['y']);
    await bus.close();
  });

  it('turns an infrastructure failure into a retriable error, so the bus retries the batch', async () => {
    const { service, bus } = setUp(async () => {
      throw new Error('connection terminated unexpectedly');
    });
    const failure = service.ingestBatch([encoded(event('a', 0), 0)]);
    await expect(failure).rejects.toBeInstanceOf(ConnectionError);
    await expect(failure).rejects.toMatchObject({
      retriable: true,
      message: expect.stringContaining('connection terminated unexpectedly'),
    });
    await bus.close();
  });
});
