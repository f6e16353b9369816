import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { PulseError } from '@pulse/core';
import type { BatchContext, BatchReport, BusMessage, MessageBus, RetryPolicy, Subscription } from '@pulse/bus';
import { BUS_TRANSPORT } from './bus.constants';
import { BusContext } from './bus-context';

export interface BusServerOptions {
  bus: MessageBus;
  /** Consumer group of the service: copies of one service share it and split the partitions. */
  groupId: string;
  /** Default false. */
  fromBeginning?: boolean;
  maxBatchSize?: number;
  /** See SubscribeOptions.maxPendingBatches. */
  maxPendingBatches?: number;
  /** See SubscribeOptions.minBatchSize and maxBatchWaitMs. */
  minBatchSize?: number;
  maxBatchWaitMs?: number;
  retry?: RetryPolicy;
  onBatch?: (report: BatchReport) => void;
  /** Called when the subscription fails (a non-retriable handler error); the default only logs. */
  onError?: (error: unknown) => void;
}

type BusServerEvents = { error: (error: unknown) => void };

function isMaskedByNest(error: unknown): boolean {
  return (
    !(error instanceof Error) &&
    typeof error === 'object' &&
    error !== null &&
    (error as { status?: unknown }).status === 'error'
  );
}

/**
 * Nest transport strategy over the platform bus: one subscription per service (its group id) to the
 * topics of its `@EventPattern` handlers. Each handler gets a whole batch of one topic-partition,
 * `handle(@Payload() batch: BusMessage[], @Ctx() ctx: BusContext)`, and is awaited (Promise or
 * Observable) before the batch's offsets are committed. Closing the app stops it gracefully.
 */
export class BusServer extends Server<BusServerEvents> implements CustomTransportStrategy {
  override readonly transportId = BUS_TRANSPORT;
  private subscription: Subscription | null = null;
  private readonly listeners: ((error: unknown) => void)[] = [];

  constructor(private readonly options: BusServerOptions) {
    super();
  }

  /** The running subscription (null before listen and after close), e.g. for health checks and lag. */
  get current(): Subscription | null {
    return this.subscription;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics = this.topics();
      if (topics.length === 0) {
        this.logger.warn?.(`no @EventPattern handlers: group ${this.options.groupId} subscribes to nothing`);
        return callback();
      }
      this.subscription = await this.options.bus.subscribe({
        groupId: this.options.groupId,
        topics,
        fromBeginning: this.options.fromBeginning,
        maxBatchSize: this.options.maxBatchSize,
        maxPendingBatches: this.options.maxPendingBatches,
        minBatchSize: this.options.minBatchSize,
        maxBatchWaitMs: this.options.maxBatchWaitMs,
        retry: this.options.retry,
        onBatch: this.options.onBatch,
        onError: (error) => this.failed(error),
        handler: (batch, ctx) => this.dispatch(batch, ctx),
      });
      this._status$.next('connected');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
    this._status$.next('disconnected');
  }

  on<EventKey extends keyof BusServerEvents>(event: EventKey, callback: BusServerEvents[EventKey]): void {
    if (event !== 'error') throw new TypeError(`BusServer emits only "error" events, not "${String(event)}"`);
    this.listeners.push(callback);
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }

  private topics(): string[] {
    const topics: string[] = [];
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler)
        throw new TypeError(
          `BusServer serves @EventPattern handlers only; @MessagePattern(${pattern}) has nowhere to reply`,
        );
      if (pattern.startsWith('{')) throw new TypeError(`BusServer patterns are topic names, got ${pattern}`);
      topics.push(pattern);
    }
    return topics;
  }

  private async dispatch(batch: BusMessage[], ctx: BatchContext): Promise<void> {
    const handler: MessageHandler | null = this.getHandlerByPattern(ctx.topic);
    if (!handler) throw new PulseError(`no handler for topic ${ctx.topic}`);
    try {
      const result = await handler(batch, new BusContext([ctx.topic, ctx.partition, ctx]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      if (isMaskedByNest(error)) {
        throw new PulseError(
          `handler of ${ctx.topic} failed; Nest's default exception filter hid the error and whether it is retriable (it logged it): declare the handler with @BusHandler(topic) or @UseFilters(BusExceptionFilter)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private failed(error: unknown): void {
    this.logger.error(
      `bus subscription of group ${this.options.groupId} stopped: ${error instanceof Error ? error.message : String(error)}`,
    );
    this._status$.next('failed');
    for (const listener of this.listeners) listener(error);
    this.options.onError?.(error);
  }
}
