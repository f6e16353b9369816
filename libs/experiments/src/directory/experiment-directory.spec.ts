import { DefinitionError } from '@pulse/core';
import { defineMetric } from '../metrics/define-metric';
import { LEARNING_METRICS } from '../metrics/learning-metrics.catalog';
import { defineExperiment } from '../definition/define-experiment';
import { ExperimentDirectory } from './experiment-directory';

const modelExperiment = (status: 'draft' | 'running' | 'stopped' = 'running') => ({
  key: 'm',
  variations: ['champion', 'rule'],
  model: 'lesson_completion',
  status,
});

describe('ExperimentDirectory', () => {
  it('keeps the newest version per key, whatever the order and repetition', () => {
    const d = new ExperimentDirectory();
    expect(d.apply({ key: 'm', version: 2, definition: modelExperiment('running') })).toBe('applied');
    expect(d.apply({ key: 'm', version: 1, definition: modelExperiment('draft') })).toBe('stale');
    expect(d.apply({ key: 'm', version: 2, definition: modelExperiment('draft') })).toBe('stale');
    expect(d.get('m')?.status).toBe('running');
    expect(d.get('m')?.version).toBe(2);
    expect(d.apply({ key: 'm', version: 3, definition: null })).toBe('applied');
    expect(d.get('m')).toBeUndefined();
    expect(d.running()).toEqual([]);
  });

  it('drops an experiment whose newer definition it cannot validate, and says so', () => {
    const invalid: string[] = [];
    const d = new ExperimentDirectory((key, version) => invalid.push(`${key}@${version}`));
    d.apply({ key: 'm', version: 1, definition: modelExperiment() });
    expect(d.apply({ key: 'm', version: 2, definition: { ...modelExperiment(), weights: [2, 2] } })).toBe('invalid');
    expect(invalid).toEqual(['m@2']);
    expect(d.routeModel('lesson_completion', { id: 'u' }, 0)).toBeNull();
  });

  it('routes only running experiments of the model, to the variation assign gives', () => {
    const d = new ExperimentDirectory();
    d.apply({ key: 'm', version: 1, definition: modelExperiment() });
    d.apply({ key: 'draft', version: 1, definition: { ...modelExperiment('draft'), key: 'draft' } });
    d.apply({ key: 'other', version: 1, definition: { ...modelExperiment(), key: 'other', model: 'dropout_risk' } });
    const routes = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = d.routeModel('lesson_completion', { id: `u${i}` }, Date.now());
      expect(r?.experiment.key).toBe('m');
      routes.add(r!.route);
    }
    expect(routes).toEqual(new Set(['champion', 'rule']));
    expect(d.routeModel('nothing', { id: 'u1' }, 0)).toBeNull();
  });
});

describe('model experiments and metrics as definitions', () => {
  it('refuses a model experiment whose variation is not champion, challenger or rule', () => {
    expect(() => defineExperiment({ ...modelExperiment(), variations: ['champion', 'shadow'] })).toThrow(
      /variations\[1\].*"champion", "challenger", "rule"/,
    );
    expect(() => defineExperiment({ ...modelExperiment(), model: 'bad name!' })).toThrow(/model/);
  });

  it('validates metrics, naming the field', () => {
    const ok = defineMetric({ key: 'c', kind: 'conversion', eventType: 'lesson_completed' });
    expect([ok.windowHours, ok.metricType, ok.version]).toEqual([72, 'proportion', 1]);
    expect(defineMetric({ key: 's', kind: 'sum', eventType: 'x', attribute: 'a' }).metricType).toBe('mean');
    const broken: [Record<string, unknown>, RegExp][] = [
      [{ key: '1bad', kind: 'count', eventType: 'x' }, /metric "1bad" key/],
      [{ key: 'k', kind: 'median', eventType: 'x' }, /metric "k" kind/],
      [{ key: 'k', kind: 'sum', eventType: 'x' }, /metric "k" attribute: is required/],
      [{ key: 'k', kind: 'count', eventType: 'x', attribute: 'a' }, /metric "k" attribute: does not apply/],
      [{ key: 'k', kind: 'count', eventType: 'x', windowHours: 0 }, /metric "k" windowHours/],
      [{ key: 'k', kind: 'count', eventType: '' }, /metric "k" eventType/],
      [{ key: 'k', kind: 'count', eventType: 'x', version: 0 }, /metric "k" version/],
    ];
    for (const [def, message] of broken) {
      expect(() => defineMetric(def as never)).toThrow(DefinitionError);
      expect(() => defineMetric(def as never)).toThrow(message);
    }
    expect(() => defineMetric({ key: 'k', kind: 'count', eventType: 'x' }, { eventTypes: ['y'] })).toThrow(
      /not an event type/,
    );
  });

  it('holds the learning catalog’s metrics on event types of the catalog', () => {
    expect([...LEARNING_METRICS.keys()]).toContain('lesson_completion');
    expect(LEARNING_METRICS.get('lesson_completion')).toMatchObject({ kind: 'conversion', windowHours: 48 });
  });
});
