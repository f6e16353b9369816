import fs from 'node:fs';
import readline from 'node:readline';
import {
  LEARNING_ENGAGEMENT_CATALOG,
  validateEngagementEventJson,
  type EngagementEvent,
  type EventTypeCatalog,
} from '@pulse/contracts';
import { TrainingSetError } from '../errors/training.errors';

export interface EventFile {
  /** Events grouped by entity (each entity's in file order), ready for buildExamples. */
  readonly events: EngagementEvent[];
  readonly entities: number;
  /** Newest event time in the file. */
  readonly watermarkMs: number;
  /** Lines read, and events left out as the platform would dead-letter them (with the first few reasons). */
  readonly lines: number;
  readonly rejected: number;
  readonly rejections: readonly string[];
  /** Repeats of an event id already read for the entity (kept once, as the event log does). */
  readonly duplicates: number;
}

/**
 * Reads a JSON-lines event export (what `pulse simulate --out` writes and the topic carries). An event
 * the platform would refuse is left out and counted, with its line and reason; a line that is not
 * JSON stops the read with an error naming the line and column.
 */
export async function readEventFile(
  path: string,
  catalog: EventTypeCatalog = LEARNING_ENGAGEMENT_CATALOG,
): Promise<EventFile> {
  const byEntity = new Map<string, { ids: Set<string>; events: EngagementEvent[] }>();
  let lines = 0;
  let rejected = 0;
  let duplicates = 0;
  let watermarkMs = -Infinity;
  const rejections: string[] = [];
  const input = readline.createInterface({
    input: fs.createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  for await (const line of input) {
    lines++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      const column = /position (\d+)/.exec(String((err as Error).message))?.[1];
      throw new TrainingSetError(
        `${path} line ${lines}${column ? ` column ${Number(column) + 1}` : ''}: not JSON (${(err as Error).message})`,
        'input',
      );
    }
    const result = validateEngagementEventJson(parsed, catalog);
    if (!result.ok) {
      rejected++;
      if (rejections.length < 5)
        rejections.push(`line ${lines}: ${result.rejection.reason}: ${result.rejection.message}`);
      continue;
    }
    const e = result.event;
    let entry = byEntity.get(e.entityId);
    if (!entry) byEntity.set(e.entityId, (entry = { ids: new Set(), events: [] }));
    if (entry.ids.has(e.eventId)) {
      duplicates++;
      continue;
    }
    entry.ids.add(e.eventId);
    entry.events.push(e);
    if (e.eventTimeMs > watermarkMs) watermarkMs = e.eventTimeMs;
  }
  const events: EngagementEvent[] = [];
  for (const { events: list } of byEntity.values()) for (const e of list) events.push(e);
  return { events, entities: byEntity.size, watermarkMs, lines, rejected, rejections, duplicates };
}
