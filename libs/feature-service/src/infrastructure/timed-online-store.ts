import type { OnlineStore, StateUpdate, StoredState } from '@pulse/features';
import type { Histogram } from 'prom-client';

/** Records each online-store round trip in the store latency histogram. */
export class TimedOnlineStore implements OnlineStore {
  constructor(
    private readonly inner: OnlineStore,
    private readonly histogram: Histogram<'op'>,
  ) {}

  getStates(entityIds: readonly string[]): Promise<Map<string, StoredState>> {
    return this.time('get_states', () => this.inner.getStates(entityIds));
  }

  getVersions(entityIds: readonly string[]): Promise<Map<string, number>> {
    return this.time('get_versions', () => this.inner.getVersions(entityIds));
  }

  putStates(updates: ReadonlyMap<string, StateUpdate>): Promise<void> {
    return this.time('put_states', () => this.inner.putStates(updates));
  }

  deleteStates(entityIds: readonly string[]): Promise<void> {
    return this.time('delete_states', () => this.inner.deleteStates(entityIds));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async time<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const end = this.histogram.startTimer({ op });
    try {
      return await fn();
    } finally {
      end();
    }
  }
}
