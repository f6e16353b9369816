import type { EngagementEvent } from '@pulse/contracts';

/** Where simulated events go. Bus adapters, files and tests implement it. */
export interface EventSink {
  /** Resolves when the events are durably handed over (written, or acknowledged by the bus). */
  publish(events: EngagementEvent[]): Promise<void>;
}
