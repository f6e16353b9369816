import { DefinitionError } from '@pulse/core';
import { planOf } from '../definition/feature-view.builder';
import type { FeatureView } from '../definition/feature-view.types';
import type { EntityState } from './entity-state';
import { HOUR_MS } from '../definition/duration';
import type { EventRoute, ViewPlan } from './plan';

export interface FeatureRegistryOptions {
  /**
   * How far behind an entity's watermark (its newest applied event time) an event may be and still be
   * applied exactly. Older events are reported too late (the service sends them to the DLQ).
   * Default 1 h.
   */
  readonly allowedLatenessMs?: number;
  /**
   * How long (in event time, behind the watermark) applied event ids are remembered to skip
   * duplicates. At least allowedLatenessMs (the default); a longer retention makes a redelivered old
   * event count as a duplicate instead of too late, at the cost of a bigger state.
   */
  readonly dedupRetentionMs?: number;
}

export const DEFAULT_ALLOWED_LATENESS_MS = HOUR_MS;

export interface RegisteredView {
  readonly view: FeatureView;
  readonly plan: ViewPlan;
}

/** A set of views of one entity, compiled, with the lateness rules that go with their state. */
export class FeatureRegistry {
  readonly views: readonly FeatureView[];
  readonly entity: string;
  readonly allowedLatenessMs: number;
  readonly dedupRetentionMs: number;
  /** @internal the compiled views, in registration order. */
  readonly compiled: readonly RegisteredView[];
  /** @internal the views' keys (`name@version`), as entity states key their view states. */
  readonly viewKeys: ReadonlySet<string>;
  /**
   * @internal per event type, the views that take it (index into `compiled`) with their route, in
   * registration order: one lookup per folded event instead of one per view.
   */
  readonly routesByType: ReadonlyMap<string, readonly { readonly view: number; readonly route: EventRoute }[]>;
  private readonly byName: Map<string, RegisteredView>;

  constructor(views: readonly FeatureView[], options: FeatureRegistryOptions = {}) {
    if (!Array.isArray(views) || views.length === 0)
      throw new DefinitionError('feature registry', 'needs at least one view');
    const lateness = options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
    if (!Number.isInteger(lateness) || lateness < 0)
      throw new RangeError(`allowedLatenessMs must be a non-negative integer, got ${lateness}`);
    const retention = options.dedupRetentionMs ?? lateness;
    if (!Number.isInteger(retention) || retention < lateness) {
      throw new RangeError(`dedupRetentionMs must be an integer ≥ allowedLatenessMs (${lateness}), got ${retention}`);
    }
    this.byName = new Map();
    for (const view of views) {
      const plan = planOf(view);
      if (this.byName.has(view.name))
        throw new DefinitionError('feature registry', `view "${view.name}" is registered twice`);
      if (view.entity !== views[0].entity) {
        throw new DefinitionError(
          'feature registry',
          `views describe different entities ("${views[0].entity}" and "${view.entity}" in "${view.name}")`,
        );
      }
      this.byName.set(view.name, { view, plan });
    }
    this.views = Object.freeze([...views]);
    this.entity = views[0].entity;
    this.allowedLatenessMs = lateness;
    this.dedupRetentionMs = retention;
    this.compiled = [...this.byName.values()];
    this.viewKeys = new Set(this.compiled.map((c) => c.view.key));
    const routesByType = new Map<string, { view: number; route: EventRoute }[]>();
    this.compiled.forEach(({ plan }, view) => {
      for (const [type, route] of plan.routes) {
        const list = routesByType.get(type) ?? [];
        list.push({ view, route });
        routesByType.set(type, list);
      }
    });
    this.routesByType = routesByType;
  }

  view(name: string): FeatureView | undefined {
    return this.byName.get(name)?.view;
  }

  /** @internal */
  registered(name: string): RegisteredView | undefined {
    return this.byName.get(name);
  }
}

/**
 * Whether `state` was built under the registry's views: each of them there with its plan's fingerprint,
 * or no event applied yet (views it has besides do not matter: a fold under this registry drops them). A state built under other definitions (a view added since, or changed in a
 * way that changes what it keeps) cannot be folded into — the changed views would start from empty
 * although the entity has history — nor evaluated — they would read as if it had none. Rebuild it from
 * the event log instead (replayEvents), which the offline path does anyway.
 */
export function stateIsCurrent(state: EntityState, registry: FeatureRegistry): boolean {
  if (state.w === null) return true;
  const compiled = registry.compiled;
  for (let i = 0; i < compiled.length; i++) {
    const vs = state.s[compiled[i].view.key];
    if (vs === undefined || vs.h !== compiled[i].plan.fingerprint) return false;
  }
  return true;
}

export function createFeatureRegistry(
  views: readonly FeatureView[],
  options?: FeatureRegistryOptions,
): FeatureRegistry {
  return new FeatureRegistry(views, options);
}
