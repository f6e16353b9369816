import type { BusMessage } from '../bus.types';

/**
 * One partition of an in-memory topic: an append-only array with a moving start, so old messages
 * can be dropped (retention) while offsets keep counting up like Kafka's.
 */
export class PartitionLog {
  private messages: BusMessage[] = [];
  /** Offset of messages[0]. */
  private base = 0;

  constructor(private readonly retention: number) {}

  get startOffset(): number {
    return this.base;
  }
  get endOffset(): number {
    return this.base + this.messages.length;
  }

  append(message: Omit<BusMessage, 'offset'>): void {
    this.messages.push({ ...message, offset: String(this.endOffset) });
    // Trim in chunks so appends stay O(1) amortised.
    const excess = this.messages.length - this.retention;
    if (excess > 0 && excess >= Math.max(1, this.retention >>> 4)) {
      this.messages = this.messages.slice(excess);
      this.base += excess;
    }
  }

  /** Up to `max` messages from `offset` (clamped to the oldest one kept). */
  read(offset: number, max: number): BusMessage[] {
    const from = Math.max(offset, this.base) - this.base;
    return this.messages.slice(from, from + max);
  }
}
