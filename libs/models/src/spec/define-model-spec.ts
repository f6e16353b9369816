import { DefinitionError } from '@pulse/core';
import { parseDuration } from '@pulse/features';
import { DERIVED_FEATURES } from '../derived/derived-feature.registry';
import { LABELS } from '../labels/label.registry';
import { REQUEST_FEATURES } from '../request/request-feature.registry';
import { DRIFT_TESTS, type ModelSpec, type ModelSpecDefinition, type MonitoringSpec } from './model-spec.types';

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;
const TASKS = ['binary', 'multiclass', 'regression', 'ranking'];
const GATE_OPS = ['>', '>=', '<', '<='];
/** Signed durations for as-of offsets: '-5m', '0m', '+1h'. */
const OFFSET_RE = /^([+-]?)([0-9]{1,6})([mhd])$/;

/** Signed duration in ms ('-5m' → −300000); undefined when malformed. */
export function parseOffset(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = OFFSET_RE.exec(text);
  if (!m) return undefined;
  const ms = parseDuration(`${Math.max(1, Number(m[2]))}${m[3]}`);
  if (ms === undefined) return undefined;
  return Number(m[2]) === 0 ? 0 : m[1] === '-' ? -ms : ms;
}

/**
 * Validates a model definition and returns it as a frozen, versioned value. Every problem is a
 * DefinitionError naming the model and the field (e.g. `model "x" label.horizon: …`).
 */
export function defineModelSpec(def: ModelSpecDefinition): ModelSpec {
  const model = typeof def?.name === 'string' ? def.name : String(def?.name);
  const fail = (field: string, message: string): never => {
    throw new DefinitionError(`model "${model}" ${field}`, message);
  };
  if (typeof def !== 'object' || def === null) fail('definition', 'must be an object');
  if (typeof def.name !== 'string' || !NAME_RE.test(def.name))
    fail('name', 'must be snake_case, starting with a letter');
  if (!Number.isInteger(def.version) || def.version < 1)
    fail('version', `must be a positive integer, got ${String(def.version)}`);
  if (!TASKS.includes(def.task)) fail('task', `must be one of ${TASKS.join(', ')}, got ${String(def.task)}`);

  const trigger = def.trigger;
  if (trigger?.kind === 'event') {
    if (typeof trigger.eventType !== 'string' || trigger.eventType === '')
      fail('trigger.eventType', 'must name an event type');
  } else if (trigger?.kind === 'daily') {
    if (parseDuration(trigger.activeWithin) === undefined)
      fail('trigger.activeWithin', `is not a duration like "14d": ${String(trigger.activeWithin)}`);
    if (trigger.minHistory !== undefined && parseDuration(trigger.minHistory) === undefined)
      fail('trigger.minHistory', `is not a duration like "14d": ${String(trigger.minHistory)}`);
    const h = trigger.hourUtc ?? 0;
    if (!(Number.isFinite(h) && h >= 0 && h < 24)) fail('trigger.hourUtc', `must be in [0, 24), got ${String(h)}`);
  } else fail('trigger.kind', `must be "event" or "daily", got ${String((trigger as { kind?: unknown })?.kind)}`);

  const labelKind = LABELS[def.label?.kind];
  if (!labelKind)
    fail('label.kind', `must be one of ${Object.keys(LABELS).join(', ')}, got ${String(def.label?.kind)}`);
  const horizonMs = parseDuration(def.label.horizon);
  if (horizonMs === undefined) fail('label.horizon', `is not a duration like "48h": ${String(def.label.horizon)}`);
  const labelProblem = labelKind.validate(def.label);
  if (labelProblem) fail('label', labelProblem);
  const classes = labelKind.classes(def.label);
  if (def.task === 'binary' && classes.length !== 2)
    fail('label', `a binary model needs a two-class label, got ${classes.length}`);
  if (def.task === 'multiclass' && classes.length < 3) fail('label', `a multiclass model needs three or more classes`);
  if (def.positiveClass !== undefined && !classes.includes(def.positiveClass))
    fail('positiveClass', `"${def.positiveClass}" is not one of the label's classes (${classes.join(', ')})`);

  const views = def.features?.views;
  if (!Array.isArray(views) || views.length === 0) fail('features.views', 'must select at least one feature view');
  const seenViews = new Set<string>();
  views.forEach((v, i) => {
    if (typeof v?.view !== 'string' || v.view === '') fail(`features.views[${i}].view`, 'must name a feature view');
    if (seenViews.has(v.view)) fail(`features.views[${i}].view`, `"${v.view}" is selected twice`);
    seenViews.add(v.view);
    if (!Number.isInteger(v.version) || v.version < 1)
      fail(`features.views[${i}].version`, 'must pin a positive view version');
    if (v.features !== '*' && (!Array.isArray(v.features) || v.features.length === 0))
      fail(`features.views[${i}].features`, 'must list feature names or be "*"');
    if (v.asOfOffset !== undefined && parseOffset(v.asOfOffset) === undefined)
      fail(`features.views[${i}].asOfOffset`, `is not a signed duration like "-5m": ${String(v.asOfOffset)}`);
  });
  for (const r of def.features.request ?? [])
    if (!REQUEST_FEATURES[r])
      fail(
        'features.request',
        `unknown request-time feature "${r}" (known: ${Object.keys(REQUEST_FEATURES).join(', ')})`,
      );
  for (const d of def.features.derived ?? [])
    if (!DERIVED_FEATURES[d])
      fail('features.derived', `unknown derived feature "${d}" (known: ${Object.keys(DERIVED_FEATURES).join(', ')})`);

  const gates = def.gates;
  if (!gates || !Array.isArray(gates.absolute)) fail('gates.absolute', 'must be a list (may be empty)');
  gates.absolute.forEach((g, i) => {
    if (typeof g?.metric !== 'string' || g.metric === '') fail(`gates.absolute[${i}].metric`, 'must name a metric');
    if (!GATE_OPS.includes(g.op)) fail(`gates.absolute[${i}].op`, `must be one of ${GATE_OPS.join(' ')}`);
    if (!Number.isFinite(g.threshold)) fail(`gates.absolute[${i}].threshold`, 'must be a finite number');
  });
  for (const key of ['maxDemographicParityDifference', 'maxEqualizedOddsDifference'] as const) {
    const v = gates.fairness?.[key];
    if (v !== undefined && !(v >= 0 && v <= 1)) fail(`gates.fairness.${key}`, `must be in [0, 1], got ${String(v)}`);
  }
  if (typeof gates.champion?.metric !== 'string' || !Number.isFinite(gates.champion?.minImprovement))
    fail('gates.champion', 'must name a metric and a finite minImprovement');

  if (def.tuning !== undefined) {
    if (!Number.isInteger(def.tuning.trials) || def.tuning.trials < 1)
      fail('tuning.trials', 'must be a positive integer');
    if (!Number.isInteger(def.tuning.maxRounds) || def.tuning.maxRounds < 1)
      fail('tuning.maxRounds', 'must be a positive integer');
  }
  if (def.monitoring !== undefined) checkMonitoring(def.monitoring, fail);
  const split = def.split ?? { validation: 0.15, test: 0.15 };
  if (!(split.validation > 0 && split.test > 0 && split.validation + split.test < 0.9))
    fail('split', `validation and test shares must be > 0 and leave at least 10 % for training`);
  const minRows = def.minRows ?? 500;
  if (!Number.isInteger(minRows) || minRows < 10) fail('minRows', 'must be an integer ≥ 10');
  const maxMissingShare = def.maxMissingShare ?? 0.95;
  if (!(maxMissingShare > 0 && maxMissingShare <= 1)) fail('maxMissingShare', 'must be in (0, 1]');

  return deepFreeze({
    ...def,
    classes,
    horizonMs: horizonMs as number,
    minRows,
    maxMissingShare,
    split,
    fairnessAttributes: def.fairnessAttributes ?? [],
  });
}

function checkMonitoring(m: MonitoringSpec, fail: (field: string, message: string) => never): void {
  if (typeof m !== 'object' || m === null) fail('monitoring', 'must be an object');
  for (const [test, value] of Object.entries(m.driftThresholds ?? {})) {
    if (!(DRIFT_TESTS as readonly string[]).includes(test))
      fail(`monitoring.driftThresholds.${test}`, `is not a drift test (one of ${DRIFT_TESTS.join(', ')})`);
    if (!(typeof value === 'number' && value > 0 && value < 1))
      fail(`monitoring.driftThresholds.${test}`, `must be in (0, 1), got ${String(value)}`);
  }
  if (m.significantPsi !== undefined && !(m.significantPsi > 0 && m.significantPsi <= 10))
    fail('monitoring.significantPsi', `must be in (0, 10], got ${String(m.significantPsi)}`);
  if (m.driftMinFeatures !== undefined && !(Number.isInteger(m.driftMinFeatures) && m.driftMinFeatures >= 1))
    fail('monitoring.driftMinFeatures', `must be a positive integer, got ${String(m.driftMinFeatures)}`);
  if (m.aucDropRatio !== undefined && !(m.aucDropRatio > 0 && m.aucDropRatio < 1))
    fail('monitoring.aucDropRatio', `must be in (0, 1), got ${String(m.aucDropRatio)}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
