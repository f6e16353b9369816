import fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { EngagementEvent } from '@pulse/contracts';
import { engagementEventToJson } from '@pulse/contracts';
import type { EventSink } from './event-sink';

/**
 * Writes one event per line in the JSON wire form (the same objects POST /v1/events accepts), with
 * backpressure: publish resolves once the stream has taken the lines.
 */
export class JsonlSink implements EventSink {
  constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean = false,
  ) {}

  static toFile(path: string): JsonlSink {
    return new JsonlSink(fs.createWriteStream(path, { encoding: 'utf8' }), true);
  }

  async publish(events: EngagementEvent[]): Promise<void> {
    if (events.length === 0) return;
    let text = '';
    for (const event of events) text += `${JSON.stringify(engagementEventToJson(event))}\n`;
    await writeWithBackpressure(this.stream, text);
  }

  /** Flushes; closes the stream only if this sink opened it (never stdout). */
  async close(): Promise<void> {
    await endStream(this.stream, this.ownsStream);
  }
}

export function writeWithBackpressure(stream: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    stream.once('error', onError);
    const flushed = stream.write(chunk, (err) => {
      if (err) reject(err);
    });
    const done = () => {
      stream.off('error', onError);
      resolve();
    };
    if (flushed) done();
    else stream.once('drain', done);
  });
}

export function endStream(stream: Writable, close: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (close) {
      stream.once('error', reject);
      stream.end(() => resolve());
    } else if (stream.writableNeedDrain) {
      stream.once('drain', () => resolve());
    } else {
      resolve();
    }
  });
}
