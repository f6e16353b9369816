import fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { CompletionOracleRecord } from '../simulation/simulation-options';
import { endStream } from './jsonl.sink';

export const ORACLE_CSV_HEADER =
  'event_id,entity_id,content_id,channel,sent_at,probability,completed_within_48h,window_observed';

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function oracleCsvLine(r: CompletionOracleRecord): string {
  return [
    csvField(r.eventId),
    csvField(r.entityId),
    csvField(r.contentId),
    r.channel,
    new Date(r.sentAtMs).toISOString(),
    r.probability.toFixed(6),
    r.completedWithin48h ? '1' : '0',
    r.windowObserved ? '1' : '0',
  ].join(',');
}

/**
 * The side file of true completion probabilities, one row per lesson_sent in emission order, for
 * judging lesson_completion models against the best achievable score. Rows are buffered and written
 * in chunks; `record` is synchronous so it can be the simulation's onOracle callback.
 */
export class OracleCsvWriter {
  private buffer: string[] = [];
  private rows = 0;

  constructor(
    private readonly stream: Writable,
    private readonly ownsStream = false,
  ) {
    this.stream.write(`${ORACLE_CSV_HEADER}\n`);
  }

  static toFile(path: string): OracleCsvWriter {
    return new OracleCsvWriter(fs.createWriteStream(path, { encoding: 'utf8' }), true);
  }

  get count(): number {
    return this.rows;
  }

  readonly record = (r: CompletionOracleRecord): void => {
    this.buffer.push(oracleCsvLine(r));
    this.rows++;
    if (this.buffer.length >= 1000) this.flush();
  };

  flush(): void {
    if (this.buffer.length === 0) return;
    this.stream.write(`${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }

  async close(): Promise<void> {
    this.flush();
    await endStream(this.stream, this.ownsStream);
  }
}
