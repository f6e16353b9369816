/** A partition whose last failure is older than this is forgotten: it moved to another copy, or its handler stopped. */
const FORGET_AFTER_MS = 30_000;

/**
 * Whether ingest is keeping up with its partitions, for /health: a batch that fails is retried by the
 * bus (a store unreachable) or bisected (a record refused), and meanwhile its partition does not
 * move, which the stores' own pings may not show (one reachable but refusing). Per partition: one
 * that succeeds does not hide another that fails. Down from a partition's first failure until one of
 * its batches completes (the bus retries at least every 5 s, so a failing partition stays fresh).
 */
export class IngestStatus {
  private readonly failing = new Map<string, { since: number; last: number; error: string }>();

  constructor(private readonly now: () => number = Date.now) {}

  failed(partition: string, err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    const t = this.now();
    this.failing.set(partition, { since: this.failing.get(partition)?.since ?? t, last: t, error });
  }

  succeeded(partition: string): void {
    this.failing.delete(partition);
  }

  /** Rejects while a partition's batches fail: which, since when, and why. */
  async check(): Promise<void> {
    const t = this.now();
    const down: string[] = [];
    for (const [partition, f] of this.failing) {
      if (t - f.last > FORGET_AFTER_MS) this.failing.delete(partition);
      else down.push(`${partition} failing since ${new Date(f.since).toISOString()}: ${f.error}`);
    }
    if (down.length > 0) throw new Error(`ingest: ${down.join('; ')}`);
  }
}
