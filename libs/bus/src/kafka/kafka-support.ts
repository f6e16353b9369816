import {
  logLevel as KafkaLogLevel,
  PartitionAssigners,
  type KafkaMessage,
  type logCreator,
  type PartitionAssigner,
} from 'kafkajs';
import { ConnectionError, PulseError } from '@pulse/core';
import type { BusMessage } from '../bus.types';
import type { BusLogger, BusLogLevel as BusLevel } from '../bus-logger';

/**
 * Round robin, but the group leader waits `delayMs` before answering when the group has several
 * members. The librdkafka mock cluster rejects a follower's SyncGroup that arrives after the
 * leader's; the pause lets followers sync first. Keeps round robin's name so plain kafkajs members
 * of the same group stay compatible.
 */
export function delayedRoundRobinAssigner(delayMs: number): PartitionAssigner {
  return (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      ...roundRobin,
      async assign(group) {
        if (group.members.length > 1 && delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        return roundRobin.assign(group);
      },
    };
  };
}

const levels: Record<number, BusLevel> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

export const kafkaLogLevels: Record<BusLevel, KafkaLogLevel> = {
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

/** Routes kafkajs's own log records to the bus logger instead of the console. */
export function kafkaLogCreator(logger: BusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const {
        message,
        timestamp: _timestamp,
        logger: _name,
        ...fields
      } = log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
      logger.log(levels[level] ?? 'info', message, { namespace, ...fields });
    };
}

function headerToString(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  // A repeated header keeps its last value, as most Kafka clients' "lastHeader" does.
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

export function toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  const given = message.headers;
  // for-in, not Object.entries: no pair arrays for every consumed message.
  if (given !== undefined) {
    for (const name in given) {
      if (!Object.prototype.hasOwnProperty.call(given, name)) continue;
      const text = headerToString(given[name]);
      if (text !== undefined) headers[name] = text;
    }
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString() : null,
    value: message.value ?? Buffer.alloc(0),
    headers,
    timestamp: Number(message.timestamp),
  };
}

const transientKafkaErrors = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/** kafkajs errors as the platform's: transient ones retriable (ConnectionError), the rest not. */
export function toPulseError(error: unknown, what: string): PulseError {
  if (error instanceof PulseError) return error;
  const e = error as { name?: string; message?: string; retriable?: boolean };
  const message = `${what}: ${e?.message ?? String(error)}`;
  if (e?.retriable === true || transientKafkaErrors.has(e?.name ?? ''))
    return new ConnectionError(message, { cause: error });
  return new PulseError(message, { retriable: false, cause: error });
}
