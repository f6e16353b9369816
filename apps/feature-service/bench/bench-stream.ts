// The benchmark's input: a simulated learning-engagement stream, protobuf-encoded exactly as the
// pipeline's producers encode it (the simulator's PublisherSink), keyed by entity, generated once
// before anything is measured and framed for kcat's producer (see kcat-producer.ts).
import { CONTENT_TYPE_HEADER, encodeEngagementEvent } from '@pulse/contracts';
import { createSimulation } from '@pulse/simulator';

/** kcat splits its input on these: no NUL bytes (kcat reads them as C strings) and no byte repeated,
 * so a delimiter cannot start inside a value's tail; values containing one are refused below. */
export const MESSAGE_DELIMITER = Buffer.from([0x1e, 0xfe, 0x1f, 0xfd]);
export const KEY_DELIMITER = Buffer.from([0x1d, 0xfc, 0x1c, 0xfb]);

export interface BenchStream {
  /** `key KEY_DELIMITER value MESSAGE_DELIMITER`, one per event, in stream order. */
  readonly framed: Buffer[];
  /** The one header every message carries, `name=value` as kcat -H takes it. */
  readonly header: string;
  readonly valueBytes: number;
  readonly generateMs: number;
  /** Each entity's newest event time: what its online state's watermark must end at. */
  readonly watermarks: Map<string, number>;
}

export function generateStream(options: {
  seed: string;
  learners: number;
  days: number;
  maxEvents: number;
}): BenchStream {
  const started = performance.now();
  const simulation = createSimulation({ seed: options.seed, learners: options.learners, days: options.days });
  const framed: Buffer[] = [];
  const watermarks = new Map<string, number>();
  const contentTypes = new Set<string>();
  let valueBytes = 0;
  for (const event of simulation) {
    const { bytes, contentType } = encodeEngagementEvent(event, 'protobuf');
    contentTypes.add(contentType);
    const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const key = Buffer.from(event.entityId);
    if (value.includes(MESSAGE_DELIMITER) || key.includes(KEY_DELIMITER) || key.includes(MESSAGE_DELIMITER)) {
      throw new Error(`event ${event.eventId} contains a kcat delimiter; choose other delimiter bytes`);
    }
    valueBytes += value.length;
    framed.push(Buffer.concat([key, KEY_DELIMITER, value, MESSAGE_DELIMITER]));
    watermarks.set(event.entityId, Math.max(watermarks.get(event.entityId) ?? -Infinity, event.eventTimeMs));
    if (framed.length >= options.maxEvents) break;
  }
  if (contentTypes.size !== 1) throw new Error(`expected one content type, got ${[...contentTypes].join(', ')}`);
  return {
    framed,
    header: `${CONTENT_TYPE_HEADER}=${[...contentTypes][0]}`,
    valueBytes,
    generateMs: performance.now() - started,
    watermarks,
  };
}
