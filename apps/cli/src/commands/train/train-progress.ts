import { SingleBar } from 'cli-progress';
import type { TrainingProgress } from '@pulse/training';

/** A progress bar on stderr over the run's phases (building examples, tuning, training, evaluating, exporting). */
export function trainingProgressBar(enabled: boolean): { update(p: TrainingProgress): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'train |{bar}| {percentage}% | {phase}: {message}',
    hideCursor: true,
  });
  bar.start(100, 0, { phase: 'starting', message: '' });
  return {
    update: (p) => bar.update(Math.round(100 * p.progress), { phase: p.phase, message: p.message }),
    stop: () => bar.stop(),
  };
}
