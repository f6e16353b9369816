import type { EngagementEvent, WireFormat } from '@pulse/contracts';
import { CONTENT_TYPE_HEADER, encodeEngagementEvent } from '@pulse/contracts';
import type { EventSink } from './event-sink';

/** The slice of a message-bus publisher this sink needs (structurally @pulse/bus's Publisher). */
export interface TopicPublisher {
  publish(
    topic: string,
    messages: ReadonlyArray<{ key: string | null; value: Buffer; headers?: Record<string, string> }>,
  ): Promise<void>;
}

/** Publishes events to a topic keyed by entity id, encoded as protobuf (default) or JSON with a content-type header. */
export class PublisherSink implements EventSink {
  constructor(
    private readonly publisher: TopicPublisher,
    private readonly topic: string,
    private readonly format: WireFormat = 'protobuf',
  ) {}

  async publish(events: EngagementEvent[]): Promise<void> {
    if (events.length === 0) return;
    const messages = events.map((event) => {
      const { bytes, contentType } = encodeEngagementEvent(event, this.format);
      return {
        key: event.entityId,
        value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        headers: { [CONTENT_TYPE_HEADER]: contentType },
      };
    });
    await this.publisher.publish(this.topic, messages);
  }
}
