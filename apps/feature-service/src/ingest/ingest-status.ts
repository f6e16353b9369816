/**
 * Whether ingest is keeping up with its partitions, for /health: a batch that fails is retried by the
 * bus (a store unreachable) and meanwhile the partition does not move, which the stores' own pings
 * may not show (one reachable but refusing). Down from the first failure until a batch completes.
 */
export class IngestStatus {
  private failing: { since: number; error: string } | null = null;

  failed(err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    this.failing = { since: this.failing?.since ?? Date.now(), error };
  }

  succeeded(): void {
    this.failing = null;
  }

  /** Rejects while batches fail: since when, and why. */
  async check(): Promise<void> {
    const f = this.failing;
    if (f !== null) throw new Error(`ingest failing since ${new Date(f.since).toISOString()}: ${f.error}`);
  }
}
