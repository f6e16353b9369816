import { assign } from '../assignment/assign';
import type { InExperiment } from '../assignment/assignment.types';
import type { Attributes } from '../conditions/condition.types';
import { defineExperiment } from '../definition/define-experiment';
import type { Experiment, ExperimentDefinition } from '../definition/experiment.types';
import type { ModelRoute } from '../definition/check-model-routing';

/** One experiment's change as experiments.changes.v1 carries it (definition null: deleted). */
export interface ExperimentChange {
  readonly key: string;
  readonly version: number;
  readonly definition: Readonly<Record<string, unknown>> | null;
}

export type ApplyOutcome = 'applied' | 'stale' | 'invalid';

/** A trigger routed by a model experiment: the experiment, the unit's variation and where it goes. */
export interface ModelRouting {
  readonly experiment: Experiment;
  readonly assignment: InExperiment<unknown>;
  readonly route: ModelRoute;
}

/**
 * Every experiment's newest definition, kept from experiments.changes.v1 (or the service's own
 * store) so that a service assigns locally, without a network hop. Changes may arrive twice or out
 * of order: an older version than the one held is ignored. A definition this code cannot validate
 * removes the experiment (nothing is routed on a definition it does not understand) and is reported.
 */
export class ExperimentDirectory {
  private readonly entries = new Map<string, { version: number; experiment: Experiment | null }>();

  constructor(private readonly onInvalid?: (key: string, version: number, error: unknown) => void) {}

  apply(change: ExperimentChange): ApplyOutcome {
    const held = this.entries.get(change.key);
    if (held !== undefined && held.version >= change.version) return 'stale';
    if (change.definition === null) {
      this.entries.set(change.key, { version: change.version, experiment: null });
      return 'applied';
    }
    try {
      const experiment = defineExperiment({
        ...(change.definition as unknown as ExperimentDefinition),
        version: change.version,
      });
      this.entries.set(change.key, { version: change.version, experiment });
      return 'applied';
    } catch (err) {
      this.entries.set(change.key, { version: change.version, experiment: null });
      this.onInvalid?.(change.key, change.version, err);
      return 'invalid';
    }
  }

  get(key: string): Experiment | undefined {
    return this.entries.get(key)?.experiment ?? undefined;
  }

  /** Experiments with status running, by key. */
  running(): Experiment[] {
    const out: Experiment[] = [];
    for (const [, e] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      if (e.experiment?.status === 'running') out.push(e.experiment);
    return out;
  }

  /**
   * The running model experiment of `model` the unit is in (the first by key when layers let a unit
   * into several), or null: the trigger then goes to the champion.
   */
  routeModel(model: string, attributes: Attributes, atMs: number): ModelRouting | null {
    for (const experiment of this.running()) {
      if (experiment.model !== model) continue;
      const assignment = assign(experiment, attributes, { at: atMs });
      if (assignment.inExperiment) return { experiment, assignment, route: assignment.value as ModelRoute };
    }
    return null;
  }
}
