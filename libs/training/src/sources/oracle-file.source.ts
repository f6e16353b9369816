import fs from 'node:fs';
import readline from 'node:readline';
import { TrainingSetError } from '../errors/training.errors';

/**
 * Reads the simulator's oracle side file (header `event_id,…,probability,…`): the true completion
 * probability of each trigger event, by event id. A malformed row is an error naming its row and column.
 */
export async function readOracleFile(path: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const input = readline.createInterface({
    input: fs.createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let row = 0;
  let idCol = -1;
  let probCol = -1;
  for await (const line of input) {
    row++;
    if (line.trim() === '') continue;
    const cells = splitCsv(line);
    if (row === 1) {
      idCol = cells.indexOf('event_id');
      probCol = cells.indexOf('probability');
      if (idCol < 0 || probCol < 0)
        throw new TrainingSetError(`${path} row 1: the header needs event_id and probability columns`, 'input');
      continue;
    }
    const p = Number(cells[probCol]);
    if (cells[probCol] === undefined || cells[probCol] === '' || !(p >= 0 && p <= 1))
      throw new TrainingSetError(
        `${path} row ${row} column ${probCol + 1} (probability): expected a number in [0, 1], got "${cells[probCol] ?? ''}"`,
        'input',
      );
    out.set(cells[idCol], p);
  }
  return out;
}

/** One CSV line's cells (RFC 4180 quoting). */
function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}
