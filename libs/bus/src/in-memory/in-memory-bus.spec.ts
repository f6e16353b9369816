import { ConnectionError } from '@pulse/core';
import { waitFor } from '@pulse/testing';
import { describeBusConformance } from '../../test/bus-conformance';
import { InMemoryBus } from './in-memory-bus';

describeBusConformance('in-memory', () => new InMemoryBus(), { timeoutMs: 5000 });

describe('InMemoryBus specifics', () => {
  let bus: InMemoryBus;
  afterEach(() => bus.close());

  it('creates topics with the configured partition counts', async () => {
    bus = new InMemoryBus({ partitions: 3, topicPartitions: { wide: 8 } });
    await bus.createPublisher().publish('narrow', [{ key: 'a', value: '1' }]);
    expect(bus.endOffsets('narrow')).toHaveLength(3);
    expect(bus.endOffsets('wide')).toHaveLength(8);
  });

  it('spreads unkeyed messages round robin', async () => {
    bus = new InMemoryBus();
    await bus.createPublisher().publish(
      't',
      Array.from({ length: 8 }, () => ({ key: null, value: 'x' })),
    );
    expect(bus.endOffsets('t')).toEqual([2, 2, 2, 2]);
  });

  it('drops the oldest messages past retention; a group behind resumes at the oldest kept', async () => {
    bus = new InMemoryBus({ partitions: 1, retentionPerPartition: 16 });
    await bus.createPublisher().publish(
      't',
      Array.from({ length: 40 }, (_, i) => ({ key: 'k', value: String(i) })),
    );
    const got: string[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      handler: async (b) => {
        got.push(...b.map((m) => m.offset));
      },
    });
    await waitFor(() => got.includes('39'));
    expect(Number(got[0])).toBeGreaterThanOrEqual(40 - 16 - 1);
    expect(Number(got[0])).toBeLessThanOrEqual(24);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => String(Number(got[0]) + i)));
  });

  it('starts a new group at the end unless fromBeginning', async () => {
    bus = new InMemoryBus();
    const publisher = bus.createPublisher();
    await publisher.publish('t', [{ key: 'k', value: 'old' }]);
    const got: string[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (b) => {
        got.push(...b.map((m) => m.value.toString()));
      },
    });
    await publisher.publish('t', [{ key: 'k', value: 'new' }]);
    await waitFor(() => got.length > 0);
    expect(got).toEqual(['new']);
  });

  it('lets consumers run while a producer publishes in a tight loop', async () => {
    bus = new InMemoryBus();
    const publisher = bus.createPublisher();
    let consumed = 0;
    let consumedWhilePublishing = 0;
    let publishing = true;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      handler: async (b) => {
        consumed += b.length;
        if (publishing) consumedWhilePublishing += b.length;
      },
    });
    for (let i = 0; i < 200; i++) await publisher.publish('t', [{ key: `k${i}`, value: 'v' }]);
    publishing = false;
    expect(consumedWhilePublishing).toBeGreaterThan(0);
    await waitFor(() => consumed === 200);
  });

  it('rejects malformed messages and subscriptions, naming what is wrong', async () => {
    bus = new InMemoryBus();
    const publisher = bus.createPublisher();
    await expect(publisher.publish('', [])).rejects.toThrow(/topic must be a non-empty string/);
    await expect(publisher.publish('t', [{ key: 1 as unknown as string, value: 'v' }])).rejects.toThrow(
      /messages\[0\]\.key/,
    );
    await expect(publisher.publish('t', [{ key: 'k', value: 5 as unknown as string }])).rejects.toThrow(
      /messages\[0\]\.value/,
    );
    await expect(
      publisher.publish('t', [{ key: 'k', value: 'v', headers: { h: 1 as unknown as string } }]),
    ).rejects.toThrow(/headers\.h must be a string/);
    await expect(bus.subscribe({ groupId: '', topics: ['t'], handler: async () => undefined })).rejects.toThrow(
      /groupId/,
    );
    await expect(bus.subscribe({ groupId: 'g', topics: [], handler: async () => undefined })).rejects.toThrow(/topics/);
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['t'], maxBatchSize: 0, handler: async () => undefined }),
    ).rejects.toThrow(/maxBatchSize/);
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['t'], retry: { maxAttempts: 0 }, handler: async () => undefined }),
    ).rejects.toThrow(/maxAttempts/);
  });

  it('gives up on a retriable error after retry.maxAttempts and fails the subscription', async () => {
    bus = new InMemoryBus();
    await bus.createPublisher().publish('t', [{ key: 'k', value: 'v' }]);
    let attempts = 0;
    const sub = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      retry: { initialDelayMs: 1, maxAttempts: 3 },
      handler: async () => {
        attempts++;
        throw new ConnectionError('still away');
      },
    });
    const outcome = await sub.done;
    expect(outcome.state).toBe('failed');
    expect(attempts).toBe(3);
  });
});
