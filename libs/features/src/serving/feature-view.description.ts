import type { FeatureView } from '../definition/feature-view.types';

export interface FeatureViewDescription {
  readonly name: string;
  readonly version: number;
  readonly entity: string;
  readonly sources: readonly string[];
  readonly description?: string;
  readonly features: readonly {
    readonly name: string;
    readonly aggregation: string;
    readonly of?: string;
    readonly window: unknown;
    readonly eventTypes?: readonly string[];
    readonly valueType: string;
    readonly description?: string;
  }[];
}

export function describeViews(views: readonly FeatureView[]): FeatureViewDescription[] {
  return views.map((v) => ({
    name: v.name,
    version: v.version,
    entity: v.entity,
    sources: v.sources,
    ...(v.description ? { description: v.description } : {}),
    features: v.features.map((f) => ({
      name: f.name,
      aggregation: f.aggregation,
      ...(f.of ? { of: f.of } : {}),
      window: f.window ?? 'lifetime',
      ...(f.eventTypes ? { eventTypes: f.eventTypes } : {}),
      valueType: v.valueTypes[f.name],
      ...(f.description ? { description: f.description } : {}),
    })),
  }));
}
