import type { FeatureValues } from '@pulse/features';
import { DERIVED_FEATURES, type CompiledModelSpec, type TriggerContext } from '@pulse/models';
import type { ModelInput } from './scored-prediction.types';

/** Per input column, where its staleness comes from: the trigger itself, or the views it reads. */
type StalenessSource = { readonly request: true } | { readonly request: false; readonly views: readonly string[] };

const plans = new WeakMap<CompiledModelSpec, readonly StalenessSource[]>();

function planOf(compiled: CompiledModelSpec): readonly StalenessSource[] {
  let plan = plans.get(compiled);
  if (plan === undefined) {
    plan = compiled.columns.map((c): StalenessSource => {
      if (c.source === 'request') return { request: true };
      if (c.source === 'view') return { request: false, views: [c.name.slice(0, c.name.indexOf('.'))] };
      const derived = DERIVED_FEATURES[c.name.slice('derived.'.length)];
      const views = new Set((derived?.requires ?? []).map((q) => q.slice(0, q.indexOf('.'))));
      return views.size === 0 ? { request: true } : { request: false, views: [...views] };
    });
    plans.set(compiled, plan);
  }
  return plan;
}

/** As-of minus the newest event folded into the view for the entity; null when none was. */
export function viewStaleness(values: FeatureValues, view: string): number | null {
  const freshness = values[view]?.freshness;
  if (freshness === undefined) return null;
  let newest: number | null = null;
  for (const key in freshness) {
    const age = freshness[key];
    if (age !== null && (newest === null || age < newest)) newest = age;
  }
  return newest;
}

/**
 * Each input's staleness at the as-of time, in ms: for a view feature, how old the newest event
 * folded into its view is (null when the entity has none); 0 for a request-time feature (the trigger
 * itself); for a derived feature, its oldest view's (null when none of them has data).
 */
export function inputStaleness(compiled: CompiledModelSpec, values: FeatureValues): (number | null)[] {
  const perView = new Map<string, number | null>();
  const staleness = (view: string) => {
    if (!perView.has(view)) perView.set(view, viewStaleness(values, view));
    return perView.get(view)!;
  };
  return planOf(compiled).map((s) => {
    if (s.request) return 0;
    let oldest: number | null = null;
    for (const v of s.views) {
      const age = staleness(v);
      if (age !== null && (oldest === null || age > oldest)) oldest = age;
    }
    return oldest;
  });
}

/** The input row for an entity's view values as of the trigger and the trigger: the spec's vector function, with staleness. */
export function buildModelInput(
  compiled: CompiledModelSpec,
  values: FeatureValues,
  trigger: TriggerContext,
  out?: Float32Array,
): ModelInput {
  return { vector: compiled.vector(values, trigger, out), staleness: inputStaleness(compiled, values) };
}
