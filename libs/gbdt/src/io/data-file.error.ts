import { ValidationError } from '@pulse/core';

/** Bad input data, located by source (file name), 1-based line and, when known, column. */
export class DataFileError extends ValidationError {
  readonly source: string;
  readonly line?: number;
  readonly column?: string;

  constructor(source: string, message: string, where: { line?: number; column?: string } = {}) {
    const at = [
      where.line !== undefined ? `line ${where.line}` : '',
      where.column !== undefined ? `column ${where.column}` : '',
    ]
      .filter((s) => s !== '')
      .join(', ');
    super(`${source}${at ? ` ${at}` : ''}: ${message}`, { field: where.column });
    this.source = source;
    this.line = where.line;
    this.column = where.column;
  }
}
