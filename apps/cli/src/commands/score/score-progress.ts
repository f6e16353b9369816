import { SingleBar } from 'cli-progress';

export interface ScoreProgressCounts {
  readonly entities: number;
  readonly total?: number;
  /** Rows whose features came from the online state / the event log's replay (unknown through the service). */
  readonly online?: number;
  readonly offline?: number;
  readonly elapsedMs: number;
}

export interface ScoreProgress {
  /** A phase before scoring (listing entities, loading the model), with a count when there is one. */
  phase(message: string): void;
  update(p: ScoreProgressCounts): void;
  stop(): void;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (p: ScoreProgressCounts) => (p.elapsedMs > 0 ? (p.entities / p.elapsedMs) * 1000 : 0);
const paths = (p: ScoreProgressCounts) =>
  p.online === undefined ? '' : `, features online ${int(p.online)} / replayed ${int(p.offline ?? 0)}`;

/** Lines at most this often when stderr is not a terminal (a log file or CI). */
const LINE_EVERY_MS = 2000;

/**
 * Progress on stderr: a bar on a terminal, otherwise a line at most every two seconds (and the last
 * one); nothing when disabled.
 */
export function scoreProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ScoreProgress {
  if (!enabled) return { phase: () => undefined, update: () => undefined, stop: () => undefined };
  if (stream.isTTY === true) {
    let bar: SingleBar | undefined;
    return {
      phase: (message) => stream.write(`score: ${message}\n`),
      update: (p) => {
        if (bar === undefined) {
          bar = new SingleBar({
            stream,
            format: 'score |{bar}| {percentage}% | {value}/{total} entities | {rate} rows/s{paths}',
            hideCursor: true,
          });
          bar.start(p.total ?? p.entities, 0, { rate: '0', paths: '' });
        }
        if (p.total === undefined) bar.setTotal(p.entities);
        bar.update(p.entities, { rate: int(rate(p)), paths: paths(p) });
      },
      stop: () => bar?.stop(),
    };
  }
  let last = -Infinity;
  let pending: ScoreProgressCounts | undefined;
  const print = (p: ScoreProgressCounts) => {
    const of =
      p.total === undefined
        ? ''
        : ` of ${int(p.total)} (${p.total === 0 ? 100 : Math.floor((100 * p.entities) / p.total)}%)`;
    stream.write(`score: ${int(p.entities)}${of} entities, ${int(rate(p))} rows/s${paths(p)}\n`);
    last = performance.now();
    pending = undefined;
  };
  return {
    phase: (message) => stream.write(`score: ${message}\n`),
    update: (p) => {
      if (performance.now() - last >= LINE_EVERY_MS) print(p);
      else pending = p;
    },
    stop: () => pending && print(pending),
  };
}
