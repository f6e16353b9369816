import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { ScoredChunk } from '@pulse/inference';

/** A row scored elsewhere (the service's batch answer); the class probabilities in the header's class order. */
export interface ScoreCsvRow {
  readonly entityId: string;
  readonly version: number;
  readonly alias: string;
  readonly score: number;
  readonly label: string | undefined;
  readonly riskTier: string;
  readonly riskConfidence: number;
  readonly probabilities: readonly number[];
}

/** `entity_id, model, version, alias, as_of, score, label, risk_tier, risk_confidence, probability_<class>…`. */
export function scoreCsvHeader(classes: readonly string[]): string {
  return [
    'entity_id',
    'model',
    'version',
    'alias',
    'as_of',
    'score',
    'label',
    'risk_tier',
    'risk_confidence',
    ...classes.map((c) => field(`probability_${c}`)),
  ].join(',');
}

function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

// Numbers in their shortest round-trip form: reading the CSV back gives the very doubles scored.
const num = (x: number) => (Number.isNaN(x) ? 'NaN' : String(x));

/**
 * The scores CSV, written a chunk of rows at a time with backpressure. A file is written under a
 * temporary name beside it and renamed once complete, so a failed run leaves no partial file under
 * the name asked for; `-` writes to stdout.
 */
export class ScoreCsvWriter {
  private readonly stream: Writable;
  private readonly temp: string | undefined;
  /** `,<model>,` and `,<as of>,`: the same in every row, escaped once. */
  private readonly model: string;
  private readonly asOf: string;
  private failure: Error | undefined;
  rows = 0;

  constructor(
    private readonly out: string,
    model: string,
    asOfMs: number,
    private readonly classes: readonly string[],
  ) {
    this.model = `,${field(model)},`;
    this.asOf = `,${new Date(asOfMs).toISOString()},`;
    if (out === '-') {
      this.stream = process.stdout;
      this.temp = undefined;
    } else {
      this.temp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.partial`);
      let fd: number;
      try {
        fd = fs.openSync(this.temp, 'w');
      } catch (err) {
        throw new Error(`cannot write --out ${out}: ${(err as Error).message}`);
      }
      this.stream = fs.createWriteStream('', { fd, encoding: 'utf8' });
    }
    this.stream.on('error', (err) => (this.failure ??= err));
    this.stream.write(`${scoreCsvHeader(classes)}\n`);
  }

  /** The chunk's rows, column by column (no object per row). */
  writeChunk(chunk: ScoredChunk): Promise<void> {
    const K = chunk.classes.length;
    const alias = field(chunk.alias);
    let text = '';
    for (let i = 0; i < chunk.size; i++) {
      const label = chunk.label(i);
      text += `${field(chunk.entityIds[i])}${this.model}${chunk.modelVersion},${alias}${this.asOf}${num(chunk.scores[i])},${label === undefined ? '' : field(label)},${chunk.riskTiers[i]},${num(chunk.riskConfidences[i])}`;
      for (let k = 0; k < K; k++) text += `,${num(chunk.probabilities[i * K + k])}`;
      text += '\n';
    }
    this.rows += chunk.size;
    return this.put(text);
  }

  writeRows(rows: readonly ScoreCsvRow[]): Promise<void> {
    let text = '';
    for (const r of rows) {
      text += `${field(r.entityId)}${this.model}${r.version},${field(r.alias)}${this.asOf}${num(r.score)},${r.label === undefined ? '' : field(r.label)},${r.riskTier},${num(r.riskConfidence)}`;
      for (let k = 0; k < this.classes.length; k++) text += `,${num(r.probabilities[k])}`;
      text += '\n';
    }
    this.rows += rows.length;
    return this.put(text);
  }

  /** Flushes, and gives the file its name. */
  async finish(): Promise<void> {
    if (this.temp === undefined) return;
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
    if (this.failure) throw new Error(`cannot write --out ${this.out}: ${this.failure.message}`);
    fs.renameSync(this.temp, this.out);
  }

  /** Removes the partial file (after an error). */
  async discard(): Promise<void> {
    if (this.temp === undefined) return;
    await new Promise<void>((resolve) => {
      if (this.stream.destroyed) resolve();
      else this.stream.end(() => resolve());
    });
    fs.rmSync(this.temp, { force: true });
  }

  private put(text: string): Promise<void> {
    if (this.failure) return Promise.reject(new Error(`cannot write --out ${this.out}: ${this.failure.message}`));
    return new Promise<void>((resolve, reject) => {
      const ok = this.stream.write(
        text,
        (err) => err && reject(new Error(`cannot write --out ${this.out}: ${err.message}`)),
      );
      if (ok) resolve();
      else this.stream.once('drain', resolve);
    });
  }
}
