import { DefinitionError } from '@pulse/core';
import type { Metric, MetricDefinition, MetricKind } from './metric.types';

const KINDS: Readonly<Record<MetricKind, { attribute: boolean; windowHours: number; type: Metric['metricType'] }>> = {
  conversion: { attribute: false, windowHours: 72, type: 'proportion' },
  count: { attribute: false, windowHours: 168, type: 'mean' },
  sum: { attribute: true, windowHours: 168, type: 'mean' },
  mean: { attribute: true, windowHours: 168, type: 'mean' },
};
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
// A window longer than a year is a mistake, not an experiment.
const MAX_WINDOW_HOURS = 24 * 366;

/**
 * Validates a metric and returns it frozen with its defaults: a DefinitionError names the metric and
 * the field (`metric "m" attribute: …`). Known event types, when given, are checked too.
 */
export function defineMetric(def: MetricDefinition, options: { eventTypes?: Iterable<string> } = {}): Metric {
  const name = typeof def?.key === 'string' ? def.key : '(no key)';
  const fail = (field: string, message: string): never => {
    throw new DefinitionError(`metric "${name}" ${field}`, message);
  };
  if (typeof def !== 'object' || def === null) fail('definition', 'must be an object');
  if (typeof def.key !== 'string' || !NAME.test(def.key))
    fail('key', 'must start with a letter and hold letters, digits, "_", "." or "-" (at most 128)');
  const kind = KINDS[def.kind as MetricKind];
  if (!Object.hasOwn(KINDS, def.kind))
    fail('kind', `must be one of ${Object.keys(KINDS).join(', ')}, got ${JSON.stringify(def.kind)}`);
  if (typeof def.eventType !== 'string' || def.eventType === '') fail('eventType', 'must be a non-empty string');
  if (options.eventTypes && ![...options.eventTypes].includes(def.eventType))
    fail('eventType', `"${def.eventType}" is not an event type of the catalog`);
  if (kind.attribute && (typeof def.attribute !== 'string' || def.attribute === ''))
    fail('attribute', `is required for a ${def.kind} metric`);
  if (!kind.attribute && def.attribute !== undefined) fail('attribute', `does not apply to a ${def.kind} metric`);
  const windowHours = def.windowHours ?? kind.windowHours;
  if (typeof windowHours !== 'number' || !(windowHours > 0) || windowHours > MAX_WINDOW_HOURS)
    fail(
      'windowHours',
      `must be a number of hours in (0, ${MAX_WINDOW_HOURS}], got ${JSON.stringify(def.windowHours)}`,
    );
  const version = def.version ?? 1;
  if (!Number.isInteger(version) || version < 1)
    fail('version', `must be a whole number ≥ 1, got ${JSON.stringify(def.version)}`);
  return Object.freeze({ ...def, windowHours, version, metricType: kind.type });
}
