import fs from 'node:fs/promises';
import path from 'node:path';
import { idStringDefect } from '@pulse/contracts';
import type { Storage } from '@pulse/storage';

export interface EntityList {
  readonly ids: string[];
  /** Lines naming an entity already listed (scored once). */
  readonly duplicates: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An entities file: one entity id per line (surrounding blanks and blank lines ignored). A line that
 * is not UTF-8 or not an id the platform could hold is refused with its number.
 */
export async function readEntitiesFile(file: string): Promise<EntityList> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new Error(`cannot read the entities file ${file}: ${(err as Error).message}`);
  }
  const name = path.basename(file);
  const seen = new Set<string>();
  const ids: string[] = [];
  let duplicates = 0;
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    let id: string;
    try {
      id = utf8.decode(bytes.subarray(start, end)).trim();
    } catch {
      throw new Error(`${name} line ${line}: not UTF-8 text`);
    }
    start = end + 1;
    if (id === '') continue;
    const defect = idStringDefect(id);
    if (defect !== undefined) throw new Error(`${name} line ${line}: the entity id ${defect}`);
    if (seen.has(id)) duplicates++;
    else {
      seen.add(id);
      ids.push(id);
    }
  }
  if (ids.length === 0) throw new Error(`${name} holds no entity id (one per line)`);
  return { ids, duplicates };
}

// One index probe per entity (the key is entity, time, id): the next entity after `$1` with an event
// at or before the time, repeated up to `$3` times, instead of reading every event.
const NEXT_ENTITIES_SQL = `
  WITH RECURSIVE next(entity_id, n) AS (
    SELECT (SELECT entity_id FROM event_log WHERE entity_id > $1 AND event_time_ms <= $2 ORDER BY entity_id LIMIT 1), 1
    UNION ALL
    SELECT (SELECT e.entity_id FROM event_log e
            WHERE e.entity_id > next.entity_id AND e.event_time_ms <= $2 ORDER BY e.entity_id LIMIT 1), n + 1
    FROM next WHERE next.entity_id IS NOT NULL AND n < $3
  )
  SELECT entity_id FROM next WHERE entity_id IS NOT NULL`;

/**
 * Every entity of the event log with an event at or before `untilMs`, in the log's key order (byte
 * order), read a page at a time; `onPage` is told the count so far.
 */
export async function logEntities(
  dataSource: Storage['dataSource'],
  untilMs: number,
  onPage?: (count: number) => void,
  pageSize = 10_000,
): Promise<string[]> {
  const ids: string[] = [];
  let after = '';
  for (;;) {
    const rows: { entity_id: string }[] = await dataSource.query(NEXT_ENTITIES_SQL, [after, untilMs, pageSize]);
    for (const r of rows) ids.push(r.entity_id);
    onPage?.(ids.length);
    if (rows.length < pageSize) return ids;
    after = rows[rows.length - 1].entity_id;
  }
}
