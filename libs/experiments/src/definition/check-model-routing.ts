import type { ExperimentDefinition } from './experiment.types';
import type { Fail } from './field-failure';

/** What a model experiment's variation may route to: a served alias, or the rule-based fallback. */
export const MODEL_ROUTES = ['champion', 'challenger', 'rule'] as const;
export type ModelRoute = (typeof MODEL_ROUTES)[number];
const MODEL_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * A model experiment (`model` set) routes each trigger of that model to the alias its variation
 * names — "champion", "challenger" or "rule" (the rule-based fallback). A shadow is scored beside
 * whatever is acted on and is never a variation.
 */
export function checkModelRouting(def: ExperimentDefinition, fail: Fail): void {
  if (def.model === undefined) return;
  if (typeof def.model !== 'string' || !MODEL_NAME.test(def.model))
    fail('model', `must be a model name (letters, digits, ".", "_", "-"), got ${JSON.stringify(def.model)}`);
  def.variations.forEach((v, i) => {
    if (!(MODEL_ROUTES as readonly unknown[]).includes(v))
      fail(
        `variations[${i}]`,
        `must be one of ${MODEL_ROUTES.map((r) => `"${r}"`).join(', ')} in a model experiment, got ${JSON.stringify(v)}`,
      );
  });
}
