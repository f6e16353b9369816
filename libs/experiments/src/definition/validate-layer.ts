import { DefinitionError } from '@pulse/core';
import type { Experiment } from './experiment.types';

/**
 * Refuses experiments of one namespace whose ranges overlap (a unit could then be in both), naming
 * both keys. Stopped experiments are left out: the range they held is free again.
 */
export function validateLayer(experiments: Iterable<Experiment>): void {
  const byNamespace = new Map<string, Experiment[]>();
  for (const e of experiments) {
    if (!e.namespace || e.status === 'stopped') continue;
    const list = byNamespace.get(e.namespace[0]) ?? [];
    list.push(e);
    byNamespace.set(e.namespace[0], list);
  }
  for (const [name, list] of byNamespace) {
    const sorted = [...list].sort((a, b) => nsStart(a) - nsStart(b));
    for (let i = 1; i < sorted.length; i++) {
      const [prev, next] = [sorted[i - 1], sorted[i]];
      if (nsStart(next) < nsEnd(prev))
        throw new DefinitionError(
          `namespace "${name}"`,
          `experiments "${prev.key}" [${nsStart(prev)}, ${nsEnd(prev)}) and "${next.key}" [${nsStart(next)}, ${nsEnd(next)}) overlap`,
        );
    }
  }
}

const nsStart = (e: Experiment) => (e.namespace as readonly [string, number, number])[1];
const nsEnd = (e: Experiment) => (e.namespace as readonly [string, number, number])[2];
