import { assertInRange } from '@pulse/core';
import type { DifficultyDrift, DriftKindSpec } from './drift-options';

export const difficultyDrift: DriftKindSpec<DifficultyDrift> = {
  resolve(options, name, context) {
    const levels = options.levels ?? 1;
    assertInRange(levels, `${name}.levels`, -2, 2);
    const startMs = context.startTimeMs + options.day * 86_400_000;
    return {
      kind: options.kind,
      day: options.day,
      startMs,
      world: () => ({ levelShift: (dayStartMs) => (dayStartMs >= startMs ? levels : 0) }),
    };
  },
};
