import { DefinitionError } from '@pulse/core';
import {
  featureColumns,
  writeFeatureVector,
  type FeatureColumn,
  type FeatureRegistry,
  type FeatureValues,
} from '@pulse/features';
import { DERIVED_FEATURES } from '../derived/derived-feature.registry';
import type { DerivedFeature } from '../derived/derived-feature.types';
import { REQUEST_FEATURES } from '../request/request-feature.registry';
import type { RequestFeature, TriggerContext } from '../request/request-feature.types';
import { parseOffset } from '../spec/define-model-spec';
import type { ModelSpec } from '../spec/model-spec.types';

export interface InputColumn {
  readonly name: string;
  readonly source: 'view' | 'request' | 'derived';
  readonly type: 'float32';
}

/** The model's input signature: names, types and order of its input vector, and its outputs. */
export interface ModelSignature {
  readonly inputName: string;
  readonly inputs: readonly (InputColumn & { readonly index: number })[];
  readonly outputs: readonly {
    readonly name: string;
    readonly type: string;
    readonly shape: readonly (number | string)[];
  }[];
  readonly classes: readonly string[];
}

/** A view the model evaluates, pinned to its version, and the as-of offset it is evaluated at. */
export interface ModelView {
  readonly name: string;
  readonly version: number;
  readonly asOfOffsetMs: number;
}

/**
 * A spec bound to a feature registry: the one function from (feature values, trigger) to the input
 * vector, which training and inference both call, so the two cannot build different vectors.
 */
export interface CompiledModelSpec {
  readonly spec: ModelSpec;
  readonly views: readonly ModelView[];
  readonly columns: readonly InputColumn[];
  readonly featureNames: readonly string[];
  readonly signature: ModelSignature;
  /** The input vector for an entity's view values (as of the trigger's time) and the trigger. */
  vector(values: FeatureValues, trigger: TriggerContext, out?: Float32Array): Float32Array;
}

export function compileModelSpec(spec: ModelSpec, registry: FeatureRegistry): CompiledModelSpec {
  const fail = (field: string, message: string): never => {
    throw new DefinitionError(`model "${spec.name}" ${field}`, message);
  };
  const views: ModelView[] = [];
  const viewColumns: FeatureColumn[] = [];
  spec.features.views.forEach((sel, i) => {
    const view = registry.views.find((v) => v.name === sel.view);
    if (!view) fail(`features.views[${i}]`, `feature view "${sel.view}" is not registered`);
    else if (view.version !== sel.version)
      fail(
        `features.views[${i}]`,
        `pins "${sel.view}" version ${sel.version}, the registry has version ${view.version}`,
      );
    const names = sel.features === '*' ? view!.features.map((f) => f.name) : sel.features;
    viewColumns.push(
      ...featureColumns(
        registry,
        names.map((n) => `${sel.view}.${n}`),
      ),
    );
    views.push({ name: sel.view, version: sel.version, asOfOffsetMs: parseOffset(sel.asOfOffset ?? '0m') ?? 0 });
  });
  const request: RequestFeature[] = (spec.features.request ?? []).map((n) => REQUEST_FEATURES[n]);
  const derived: DerivedFeature[] = (spec.features.derived ?? []).map((n) => DERIVED_FEATURES[n]);
  for (const d of derived) {
    for (const q of d.requires) {
      const viewName = q.slice(0, q.indexOf('.'));
      if (!views.some((v) => v.name === viewName))
        fail('features.derived', `"${d.name}" reads ${q}: select view "${viewName}" (its features may stay unlisted)`);
    }
  }
  const columns: InputColumn[] = [
    ...viewColumns.map((c) => ({ name: c.name, source: 'view' as const, type: 'float32' as const })),
    ...request.flatMap((r) =>
      r.columns.map((s) => ({ name: `request.${r.name}${s}`, source: 'request' as const, type: 'float32' as const })),
    ),
    ...derived.map((d) => ({ name: `derived.${d.name}`, source: 'derived' as const, type: 'float32' as const })),
  ];
  const featureNames = columns.map((c) => c.name);
  if (new Set(featureNames).size !== featureNames.length) fail('features', 'two inputs have the same column name');

  const vector = (
    values: FeatureValues,
    trigger: TriggerContext,
    out = new Float32Array(columns.length),
  ): Float32Array => {
    if (out.length !== columns.length)
      throw new RangeError(`out must have ${columns.length} elements, got ${out.length}`);
    writeFeatureVector(values, viewColumns, out, 0);
    let at = viewColumns.length;
    for (const r of request) {
      r.write(trigger, out, at);
      at += r.columns.length;
    }
    const lookup = (q: string) => {
      const dot = q.indexOf('.');
      return values[q.slice(0, dot)]?.values[q.slice(dot + 1)];
    };
    for (const d of derived) out[at++] = d.compute(lookup, trigger);
    return out;
  };

  const signature: ModelSignature = {
    inputName: 'input',
    inputs: columns.map((c, index) => ({ ...c, index })),
    outputs:
      spec.task === 'binary' || spec.task === 'multiclass'
        ? [
            { name: 'label', type: 'int64', shape: ['N'] },
            { name: 'probabilities', type: 'float32', shape: ['N', spec.task === 'binary' ? 2 : spec.classes.length] },
          ]
        : [{ name: 'variable', type: 'float32', shape: ['N', 1] }],
    classes: spec.classes,
  };
  return Object.freeze({ spec, views, columns, featureNames, signature, vector });
}
