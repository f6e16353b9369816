import { DefinitionError } from '@pulse/core';
import { compilePlan, type ViewPlan } from '../engine/plan';
import { parseWindow, defaultTile, tileMs, DAY_MS } from './duration';
import { fieldType } from './fields';
import { AGGREGATIONS, aggregationSpec, OPTION_OWNERS } from '../aggregations/aggregation.registry';
import {
  isDerived,
  type AccumulatingAggregation,
  type DerivedAggregation,
  type OptionSpec,
} from '../aggregations/aggregation.types';
import {
  TILE_SIZES,
  type AttributeType,
  type Condition,
  type FeatureDefinition,
  type FeatureValueType,
  type FeatureView,
  type FeatureViewDefinition,
  type TileSize,
} from './feature-view.types';

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;
const OPS = ['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte'];
/** Windows longer than this are rejected: lifetime is the tool for unbounded history. */
const MAX_WINDOW_MS = 400 * DAY_MS;
/** A windowed feature may keep at most this many tiles; more means a too-fine tile. */
const MAX_TILES = 400;

const plans = new WeakMap<FeatureView, ViewPlan>();

/**
 * Validates a view definition and returns it as a frozen value with its output types and
 * fingerprint. Every problem is a DefinitionError naming the view (and feature) and what is wrong.
 */
export function defineFeatureView(def: FeatureViewDefinition): FeatureView {
  const viewName = typeof def?.name === 'string' ? def.name : String(def?.name);
  const fail = (message: string, feature?: string): never => {
    throw new DefinitionError(
      feature ? `feature view "${viewName}" feature "${feature}"` : `feature view "${viewName}"`,
      message,
    );
  };

  if (typeof def !== 'object' || def === null) fail('definition must be an object');
  if (typeof def.name !== 'string' || !NAME_RE.test(def.name))
    fail('name must be snake_case (a-z, 0-9, _), starting with a letter');
  if (!Number.isInteger(def.version) || def.version < 1)
    fail(`version must be a positive integer, got ${String(def.version)}`);
  if (typeof def.entity !== 'string' || def.entity.length === 0) fail('entity must be a non-empty string');
  if (!Array.isArray(def.sources) || def.sources.length === 0) fail('sources must list at least one event type');
  for (const s of def.sources) if (typeof s !== 'string' || s.length === 0) fail('sources must be non-empty strings');
  if (new Set(def.sources).size !== def.sources.length) fail('sources must not repeat an event type');
  if (def.schema !== undefined) {
    for (const [type, attrs] of Object.entries(def.schema)) {
      for (const [attr, t] of Object.entries(attrs)) {
        if (t !== 'number' && t !== 'string' && t !== 'boolean')
          fail(`schema: ${type}.${attr} has unknown type "${String(t)}"`);
      }
    }
  }
  if (!Array.isArray(def.features) || def.features.length === 0) fail('features must list at least one feature');

  const byName = new Map<string, FeatureDefinition>();
  for (const f of def.features) {
    const fname = typeof f?.name === 'string' ? f.name : String(f?.name);
    if (typeof f?.name !== 'string' || !NAME_RE.test(f.name))
      fail('feature name must be snake_case (a-z, 0-9, _), starting with a letter', fname);
    if (byName.has(f.name)) fail('duplicate feature name', f.name);
    byName.set(f.name, f);
  }

  const valueTypes: Record<string, FeatureValueType> = {};
  for (const f of def.features) valueTypes[f.name] = checkFeature(def, f, (m) => fail(m, f.name));
  for (const f of def.features) {
    const spec = aggregationSpec(f.aggregation);
    if (spec === undefined || !isDerived(spec)) continue;
    for (const part of spec.operands) {
      const ref = f[part];
      const what = `${f.aggregation} ${part}`;
      if (typeof ref !== 'string')
        fail(`${f.aggregation} needs a ${part} (the name of a feature of the same view)`, f.name);
      const target = byName.get(ref as string);
      if (!target) fail(`${what} "${ref}" is not a feature of this view`, f.name);
      const targetSpec = aggregationSpec((target as FeatureDefinition).aggregation);
      if (targetSpec !== undefined && isDerived(targetSpec))
        fail(`${what} "${ref}" is itself a ${targetSpec.name}`, f.name);
      if (valueTypes[ref as string] !== 'number') fail(`${what} "${ref}" is not numeric`, f.name);
    }
  }

  const frozen = deepFreeze({
    ...structuredClone(def),
    valueTypes,
    fingerprint: '',
    key: `${def.name}@${def.version}`,
  });
  const plan = compilePlan(frozen, valueTypes);
  const view = Object.freeze({ ...frozen, fingerprint: plan.fingerprint }) as FeatureView;
  plans.set(view, plan);
  return view;
}

/** The compiled plan of a view made by defineFeatureView. */
export function planOf(view: FeatureView): ViewPlan {
  const plan = plans.get(view);
  if (!plan) throw new DefinitionError(`feature view "${view?.name}"`, 'was not built with defineFeatureView');
  return plan;
}

// Properties of a feature definition that are not options of some aggregation.
const COMMON = ['of', 'map', 'eventTypes', 'where', 'window', 'tile', 'categories'] as const;
const OPERANDS = ['numerator', 'denominator'] as const;

function checkFeature(def: FeatureViewDefinition, f: FeatureDefinition, fail: (m: string) => never): FeatureValueType {
  const found = aggregationSpec(f.aggregation);
  if (found === undefined) fail(`unknown aggregation "${String(f.aggregation)}" (one of ${AGGREGATIONS.join(', ')})`);
  const spec = found as AccumulatingAggregation | DerivedAggregation;
  const given = f as unknown as Readonly<Record<string, unknown>>;
  if (isDerived(spec)) {
    for (const k of [...COMMON, ...OPTION_OWNERS.keys()]) {
      if (given[k] !== undefined) fail(`${f.aggregation} takes only ${listAnd(spec.operands)}, not ${k}`);
    }
    return 'number';
  }
  for (const k of OPERANDS) if (given[k] !== undefined) fail(`${listAnd(OPERANDS, '/')} are only for ratio`);
  for (const [name, owners] of OPTION_OWNERS) {
    if (given[name] !== undefined && !owners.includes(f.aggregation)) fail(`${name} applies to ${listAnd(owners)}`);
  }
  for (const [name, option] of Object.entries(spec.options as Readonly<Record<string, OptionSpec<unknown>>>)) {
    const value = given[name];
    if (value === undefined) {
      if (option.required) fail(`${f.aggregation} needs option ${name} (${option.describe})`);
      continue;
    }
    const problem = option.check(value);
    if (problem !== undefined) fail(problem);
  }

  const eventTypes = f.eventTypes ?? def.sources;
  if (f.eventTypes !== undefined) {
    if (!Array.isArray(f.eventTypes) || f.eventTypes.length === 0) fail('eventTypes must be a non-empty list');
    for (const t of f.eventTypes)
      if (!def.sources.includes(t)) fail(`event type "${t}" is not one of the view's sources`);
  }

  for (const c of f.where ?? []) checkCondition(c, eventTypes, def, fail);

  const type = checkField(spec, f, eventTypes, def, fail);

  const w = parseWindow(f.window);
  if (typeof w === 'string') fail(w);
  else if (w.lifetime) {
    if (f.tile !== undefined) fail('a lifetime feature has no tiles');
  } else {
    if (!spec.windowed) fail(`${f.aggregation} is defined over the whole history; use window lifetime`);
    if (w.lengthMs + w.offsetMs > MAX_WINDOW_MS) fail('window plus offset must be at most 400d; use lifetime beyond');
    if (f.tile !== undefined && !TILE_SIZES.includes(f.tile))
      fail(`tile "${String(f.tile)}" is not one of ${TILE_SIZES.join(', ')}`);
    const tile = f.tile ?? defaultTile(w.lengthMs, w.offsetMs);
    if (tile === undefined) fail(`no tile size (${TILE_SIZES.join(', ')}) divides the window and its offset`);
    const ms = tileMs(tile as TileSize);
    if (w.lengthMs % ms !== 0) fail(`window length is not a multiple of the tile size ${tile}`);
    if (w.offsetMs % ms !== 0) fail(`window offset is not a multiple of the tile size ${tile}`);
    if ((w.lengthMs + w.offsetMs) / ms > MAX_TILES)
      fail(`window needs more than ${MAX_TILES} ${tile} tiles; use a coarser tile`);
  }

  const valueType = spec.valueType(type, f);
  if (f.categories !== undefined) {
    if (valueType !== 'string' && valueType !== 'ranking')
      fail('categories apply to string-valued features (first, last, mode of a string field) and topK');
    if (!Array.isArray(f.categories) || f.categories.length === 0) fail('categories must be a non-empty list');
    if (new Set(f.categories).size !== f.categories.length) fail('categories must not repeat');
  }
  return valueType;
}

/** The field's type, checked against what the aggregation needs; undefined without a field. */
function checkField(
  spec: AccumulatingAggregation,
  f: FeatureDefinition,
  eventTypes: readonly string[],
  def: FeatureViewDefinition,
  fail: (m: string) => never,
): AttributeType | undefined {
  let type: AttributeType | undefined;
  if (f.of !== undefined) {
    const t = fieldType(f.of, eventTypes, def.schema);
    if (!['number', 'string', 'boolean'].includes(t)) fail(t);
    type = t as AttributeType;
  } else if (spec.field !== 'optional') {
    fail(`${f.aggregation} needs "of" (the field it aggregates)`);
  }
  if (f.map !== undefined) {
    if (type !== 'string') fail(`map applies to string fields; "${f.of}" is ${type ?? 'absent'}`);
    for (const [k, v] of Object.entries(f.map))
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`map value for "${k}" must be a finite number`);
  }
  const numeric = type === 'number' || type === 'boolean' || f.map !== undefined;
  if (spec.field === 'numeric' && !numeric)
    fail(`${f.aggregation} needs a numeric or boolean field (or a map); "${f.of}" is ${type}`);
  if (spec.field === 'boolean' && type !== 'boolean')
    fail(`${f.aggregation} needs a boolean field; "${f.of}" is ${type}`);
  if (spec.field === 'categorical' && (type !== 'string' || f.map !== undefined))
    fail(`${f.aggregation} needs a string field, without a map; "${f.of}" is ${f.map ? 'mapped to numbers' : type}`);
  return type;
}

/** `a, b and c` (or `a/b` with a separator). */
function listAnd(items: readonly string[], sep?: string): string {
  if (sep !== undefined) return items.join(sep);
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function checkCondition(
  c: Condition,
  eventTypes: readonly string[],
  def: FeatureViewDefinition,
  fail: (m: string) => never,
): void {
  if (!OPS.includes(c?.op)) fail(`where: unknown operator "${String(c?.op)}" (one of ${OPS.join(', ')})`);
  const t = fieldType(c.field, eventTypes, def.schema);
  if (!['number', 'string', 'boolean'].includes(t)) fail(`where: ${t}`);
  const values = c.op === 'in' || c.op === 'notIn' ? c.value : [c.value];
  if (!Array.isArray(values) || values.length === 0) fail(`where ${c.field} ${c.op}: needs a non-empty list`);
  for (const v of values as unknown[]) {
    if (typeof v !== t) fail(`where ${c.field} ${c.op}: value ${JSON.stringify(v)} is not a ${t} (the field's type)`);
  }
  if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && t === 'boolean')
    fail(`where ${c.field} ${c.op}: booleans are not ordered`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
