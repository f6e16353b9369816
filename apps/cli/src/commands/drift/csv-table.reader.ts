// A CSV file as text cells: RFC 4180 (comma-separated, double-quoted cells with "" for a quote,
// quoted line breaks), CRLF or LF, a UTF-8 byte order mark dropped, blank lines skipped as pandas
// skips them. The first record is the header. Errors name the file, the line (1-based, counting
// physical lines) and the column.
import fs from 'node:fs';
import { DriftInputError } from './drift-input.error';

export interface CsvTable {
  /** The name errors give for the file. */
  file: string;
  header: string[];
  /** Data rows, each as long as the header. */
  rows: string[][];
  /** The 1-based line each data row starts on. */
  lines: number[];
}

/** Reads a CSV file; errors name it as given (`filePath`). */
export function readCsvTable(filePath: string): CsvTable {
  const file = filePath;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (err) {
    throw new DriftInputError(`cannot read ${filePath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseCsvTable(decodeUtf8(bytes, file), file);
}

function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // locate the first line that is not UTF-8
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
        } catch {
          throw new DriftInputError(`${file} line ${line}: not UTF-8 text`);
        }
        line++;
        start = i + 1;
      }
    }
    throw new DriftInputError(`${file}: not UTF-8 text`);
  }
}

export function parseCsvTable(text: string, file: string): CsvTable {
  const records = splitRecords(text, file);
  if (records.length === 0) throw new DriftInputError(`${file} is empty: a header row is required`);
  const [head, ...data] = records;
  const header = head.cells;
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name.trim() === '')
      throw new DriftInputError(`${file} line ${head.line}, column ${i + 1}: the header has an empty name`);
    const earlier = seen.get(name);
    if (earlier !== undefined)
      throw new DriftInputError(
        `${file} line ${head.line}: column "${name}" appears twice (columns ${earlier + 1} and ${i + 1})`,
      );
    seen.set(name, i);
  });
  for (const r of data) {
    if (r.cells.length > header.length)
      throw new DriftInputError(
        `${file} line ${r.line}, column ${header.length + 1}: ${r.cells.length} cells, but the header names ${header.length} columns`,
      );
    if (r.cells.length < header.length)
      throw new DriftInputError(
        `${file} line ${r.line}, column "${header[r.cells.length]}": ${r.cells.length} cells, but the header names ${header.length} columns`,
      );
  }
  return { file, header, rows: data.map((r) => r.cells), lines: data.map((r) => r.line) };
}

interface CsvRecord {
  cells: string[];
  line: number;
}

function splitRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let blank = true;
  // a column by its header name once the header is read, else by its position
  const column = (index: number) =>
    records.length > 0 && index < records[0].cells.length ? `"${records[0].cells[index]}"` : `${index + 1}`;
  const endRecord = () => {
    if (!(blank && cells.length === 0 && cell === '')) records.push({ cells: [...cells, cell], line: recordLine });
    cells = [];
    cell = '';
    blank = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      quoteLine = line;
      blank = false;
    } else if (ch === '"') {
      throw new DriftInputError(
        `${file} line ${line}, column ${column(cells.length)}: a quote inside an unquoted cell (quote the whole cell and double the quote)`,
      );
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      blank = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
      blank = false;
    }
  }
  if (quoted)
    throw new DriftInputError(`${file} line ${quoteLine}, column ${column(cells.length)}: a quoted cell is not closed`);
  endRecord();
  return records;
}
