import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { kafkaTestBrokers, waitFor } from '@pulse/testing';

/** One record as it is on the topic, read without the client under test. */
export interface RawRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

const kafka = () =>
  new Kafka({
    clientId: 'client-spec',
    brokers: kafkaTestBrokers(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });

/** Reads `topic` from its start with a throwaway group until `count` records arrived (sorted by partition, offset). */
export async function readRaw(topic: string, count: number, timeoutMs = 20_000): Promise<RawRecord[]> {
  const consumer = kafka().consumer({
    groupId: `client-spec-${randomUUID()}`,
    sessionTimeout: 3000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  const records: RawRecord[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = value.toString();
        }
        records.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value ?? Buffer.alloc(0),
          headers,
        });
      },
    });
    await waitFor(() => records.length >= count, { timeoutMs, message: `${count} record(s) on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** How many records `topic` holds (summed high watermarks). */
export async function countRecords(topic: string): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Produces records as they are given (no checks), keyed, with their headers. */
export async function produceRaw(
  topic: string,
  records: ReadonlyArray<{ key: string; value: Buffer | string; headers?: Record<string, string> }>,
): Promise<void> {
  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ ...r })) });
  } finally {
    await producer.disconnect();
  }
}
