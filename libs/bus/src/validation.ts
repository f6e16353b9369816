import type { OutgoingMessage, SubscribeOptions } from './bus.types';
import { defaultMaxBatchSize } from './batch-runner';

export function validateOutgoing(topic: string, messages: readonly OutgoingMessage[]): void {
  if (typeof topic !== 'string' || topic.length === 0)
    throw new TypeError(`topic must be a non-empty string, got ${JSON.stringify(topic)}`);
  if (!Array.isArray(messages)) throw new TypeError(`messages must be an array (publishing to ${topic})`);
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object')
      throw new TypeError(`messages[${i}] must be an object (publishing to ${topic})`);
    if (m.key !== null && typeof m.key !== 'string')
      throw new TypeError(`messages[${i}].key must be a string or null (publishing to ${topic})`);
    if (typeof m.value !== 'string' && !Buffer.isBuffer(m.value))
      throw new TypeError(`messages[${i}].value must be a Buffer or a string (publishing to ${topic})`);
    if (m.headers !== undefined) {
      for (const [name, value] of Object.entries(m.headers)) {
        if (typeof value !== 'string')
          throw new TypeError(`messages[${i}].headers.${name} must be a string (publishing to ${topic})`);
      }
    }
  });
}

export function validateSubscribeOptions(options: SubscribeOptions): void {
  if (typeof options.groupId !== 'string' || options.groupId.length === 0)
    throw new TypeError('subscribe: groupId must be a non-empty string');
  if (
    !Array.isArray(options.topics) ||
    options.topics.length === 0 ||
    options.topics.some((t) => typeof t !== 'string' || t.length === 0)
  ) {
    throw new TypeError(`subscribe: topics must be a non-empty array of topic names (group ${options.groupId})`);
  }
  if (typeof options.handler !== 'function')
    throw new TypeError(`subscribe: handler must be a function (group ${options.groupId})`);
  const { minBatchSize = 1, maxBatchWaitMs = 0, maxBatchSize = defaultMaxBatchSize } = options;
  if (!Number.isInteger(minBatchSize) || minBatchSize < 1)
    throw new RangeError(
      `subscribe: minBatchSize must be a positive integer, got ${minBatchSize} (group ${options.groupId})`,
    );
  if (minBatchSize > maxBatchSize)
    throw new RangeError(
      `subscribe: minBatchSize (${minBatchSize}) must not exceed maxBatchSize (${maxBatchSize}) (group ${options.groupId})`,
    );
  if (!Number.isFinite(maxBatchWaitMs) || maxBatchWaitMs < 0)
    throw new RangeError(
      `subscribe: maxBatchWaitMs must be a non-negative number, got ${maxBatchWaitMs} (group ${options.groupId})`,
    );
}
