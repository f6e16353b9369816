// The experiment commands' CSV: RFC 4180 (quoted fields may hold commas, quotes and line breaks),
// UTF-8 with an optional BOM, rows numbered as a spreadsheet shows them (the header is row 1).
import fs from 'node:fs';
import path from 'node:path';

export interface CsvRecord {
  /** The line the record starts on: the header is row 1. */
  readonly row: number;
  readonly fields: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file's bytes as text, with errors that name the file. */
export function readText(file: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new Error(`${path.basename(file)} is not UTF-8 text`);
  }
}

/** Every record of a CSV text, blank lines skipped; `name` prefixes the errors. */
export function parseCsv(text: string, name: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const row = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let end = false;
    while (!end) {
      if (i >= text.length) {
        if (quoted) throw new Error(`${name} row ${row}: a quoted field is not closed`);
        end = true;
        break;
      }
      const ch = text[i++];
      if (quoted) {
        if (ch === '"') {
          if (text[i] === '"') {
            field += '"';
            i++;
          } else quoted = false;
        } else {
          if (ch === '\n') line++;
          field += ch;
        }
      } else if (ch === '"' && field === '') quoted = true;
      else if (ch === ',') {
        fields.push(field);
        field = '';
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && text[i] === '\n') i++;
        line++;
        end = true;
      } else field += ch;
    }
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ row, fields });
  }
  return records;
}

/** A field written so that parseCsv reads it back unchanged. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes the file whole or not at all (a temporary file renamed into place); '-' is stdout. */
export function writeWhole(file: string, text: string): void {
  if (file === '-') {
    process.stdout.write(text);
    return;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}
