// Training progress on stderr: a bar when stderr is a terminal, and XGBoost-style evaluation lines
// (`[12]\tvalid-auc:0.812345`) per round when there are validation sets.
import { MultiBar, Presets } from 'cli-progress';

export interface TrainingProgress {
  round(iteration: number, evals: Record<string, number>, metric: string): void;
  stop(): void;
}

export function trainingProgress(totalRounds: number, stream: NodeJS.WriteStream = process.stderr): TrainingProgress {
  const tty = stream.isTTY === true;
  const multi = tty
    ? new MultiBar(
        {
          stream,
          format: 'training [{bar}] {value}/{total} rounds | {eta_formatted} left',
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      )
    : null;
  const bar = multi?.create(totalRounds, 0);
  return {
    round(iteration, evals, metric) {
      const names = Object.keys(evals);
      if (names.length > 0) {
        const line = `[${iteration}]\t${names.map((n) => `${n}-${metric}:${evals[n].toFixed(6)}`).join('\t')}`;
        if (multi) multi.log(`${line}\n`);
        else stream.write(`${line}\n`);
      }
      bar?.update(iteration + 1);
    },
    stop() {
      multi?.stop();
    },
  };
}
