import { BaseRpcContext } from '@nestjs/microservices';
import type { BatchContext, BatchEffect } from '@pulse/bus';

type BusContextArgs = [topic: string, partition: number, batch: BatchContext];

/** What `@Ctx()` gives a bus handler: the batch's topic-partition, kill signal and heartbeat. */
export class BusContext extends BaseRpcContext<BusContextArgs> {
  getTopic(): string {
    return this.args[0];
  }
  getPartition(): number {
    return this.args[1];
  }
  /** Aborted when the subscription is killed or fails; the batch will then be redelivered. */
  getSignal(): AbortSignal {
    return this.args[2].signal;
  }
  heartbeat(): Promise<void> {
    return this.args[2].heartbeat();
  }
  /** Leaves an idempotent effect to finish after the handler returned; the batch commits once it is done (BatchContext.completeLater). */
  completeLater(effect: BatchEffect): void {
    this.args[2].completeLater(effect);
  }
}
