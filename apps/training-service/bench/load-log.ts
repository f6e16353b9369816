/**
 * The benchmark's loader, run as its own process (training.bench.ts spawns it) so that the process
 * whose memory is measured never held the generated stream: generates the simulated stream and
 * appends it to the event log in chunks (EventLogRepository.appendMany, the binary COPY path), then
 * writes { events, entities, seconds } as JSON to the file given by --result.
 *   node load-log.js --url <postgres url> --learners N --days D --seed S --start <epoch ms> --result <file>
 */
import fs from 'node:fs';
import type { EngagementEvent } from '@pulse/contracts';
import { createSimulation } from '@pulse/simulator';

import { initStorage } from '@pulse/storage';

/** Events per appendMany call (one transaction), and rows per COPY statement inside it. */
export const LOAD_BATCH = 50_000;
export const COPY_ROWS = 10_000;

export interface LoadResult {
  readonly events: number;
  readonly entities: number;
  /** Generating and appending, interleaved. */
  readonly seconds: number;
  /** Of which inside appendMany. */
  readonly appendSeconds: number;
}

function arg(name: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : process.argv[at + 1];
  if (value === undefined) throw new Error(`load-log: --${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const storage = await initStorage({ url: arg('url'), poolSize: 2, eventLog: { appendChunkRows: COPY_ROWS } });
  try {
    const simulation = createSimulation({
      seed: arg('seed'),
      learners: Number(arg('learners')),
      days: Number(arg('days')),
      startTimeMs: Number(arg('start')),
    });
    const entities = new Set<string>();
    let batch: EngagementEvent[] = [];
    let events = 0;
    let appendSeconds = 0;
    let nextReport = 1_000_000;
    const started = performance.now();
    const flush = async () => {
      const t0 = performance.now();
      const { inserted, duplicateIds, conflicts } = await storage.eventLog.appendMany(batch);
      appendSeconds += (performance.now() - t0) / 1000;
      if (inserted !== batch.length || duplicateIds.length > 0 || conflicts.length > 0)
        throw new Error(`load-log: appended ${inserted} of ${batch.length} events (${duplicateIds.length} duplicates)`);
      events += batch.length;
      batch = [];
      if (events >= nextReport) {
        const secs = (performance.now() - started) / 1000;
        console.log(`  loaded ${events.toLocaleString('en-US')} events, ${secs.toFixed(1)} s`);
        nextReport += 1_000_000;
      }
    };
    for (const event of simulation) {
      entities.add(event.entityId);
      batch.push(event);
      if (batch.length === LOAD_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    const result: LoadResult = {
      events,
      entities: entities.size,
      seconds: (performance.now() - started) / 1000,
      appendSeconds,
    };
    fs.writeFileSync(arg('result'), JSON.stringify(result));
  } finally {
    await storage.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
