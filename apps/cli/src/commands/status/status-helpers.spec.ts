import { firingAlerts, experimentCounts } from './alert-status';
import { consumerLag } from './consumer-lag';
import { newestClosedWindow, registryModels, servedModels } from './model-status';
import { healthChecks } from './service-health';
import { age, aliasesText, fmt } from './status-format';
import { statusTargets, urlVariable } from './status-targets';

describe('status targets', () => {
  it('takes --url first, then PULSE_<SERVICE>_URL, then the host on the fixed port', () => {
    const env = {
      PULSE_TRAINING_SERVICE_URL: 'http://ts.internal:8080/',
      PULSE_INFERENCE_SERVICE_URL: 'http://ignored:1',
      PULSE_EXPERIMENT_SERVICE_URL: '  ',
    };
    expect(statusTargets('10.0.0.5', ['inference-service=http://10.0.0.9:9000'], env)).toEqual([
      { name: 'feature-service', url: 'http://10.0.0.5:3001' },
      { name: 'training-service', url: 'http://ts.internal:8080' },
      { name: 'inference-service', url: 'http://10.0.0.9:9000' },
      { name: 'experiment-service', url: 'http://10.0.0.5:3004' },
      { name: 'monitoring-service', url: 'http://10.0.0.5:3005' },
    ]);
    expect(urlVariable('monitoring-service')).toBe('PULSE_MONITORING_SERVICE_URL');
  });

  it('refuses a variable that is not an http(s) URL, naming it', () => {
    expect(() => statusTargets('localhost', [], { PULSE_FEATURE_SERVICE_URL: 'localhost:3001' })).toThrow(
      /PULSE_FEATURE_SERVICE_URL is "localhost:3001"/,
    );
    expect(() => statusTargets('')).toThrow(TypeError);
  });
});

describe('consumer lag from /metrics', () => {
  const exposition = [
    '# HELP pulse_consumer_lag Messages between the committed offset and the end of the partition',
    '# TYPE pulse_consumer_lag gauge',
    'pulse_consumer_lag{topic="engagement.events.v1",partition="0"} 12',
    'pulse_consumer_lag{topic="engagement.events.v1",partition="1"} 3',
    'pulse_monitoring_consumer_lag{topic="predictions.lesson_completion.v1",partition="0"} 5 1796538845897',
    // A label value holding a brace, a space and an escaped quote does not end the label block.
    'pulse_experiment_consumer_lag{topic="odd } \\"topic\\"",partition="0"} 2',
    'nodejs_eventloop_lag_seconds 0.25',
    'pulse_consumer_lag_total{topic="x"} 1000',
    'pulse_consumer_lag{topic="engagement.events.v1",partition="2"} NaN',
  ].join('\n');

  it('sums every *_consumer_lag sample, by topic, and nothing else', () => {
    expect(consumerLag(exposition)).toEqual({
      total: 22,
      series: 4,
      byTopic: { 'engagement.events.v1': 15, 'predictions.lesson_completion.v1': 5, 'odd } "topic"': 2 },
    });
  });

  it('is null for a service that exports no such sample (a gauge with no series yet)', () => {
    expect(consumerLag('# TYPE pulse_experiment_consumer_lag gauge\nprocess_cpu_seconds_total 3\n')).toBeNull();
    expect(consumerLag('')).toBeNull();
  });
});

describe('the services answers', () => {
  it('reads the checks of a Terminus report, with the failing check and its message', () => {
    expect(
      healthChecks({
        status: 'error',
        details: { postgres: { status: 'up', latencyMs: 2 }, redis: { status: 'down', message: 'timeout' } },
      }),
    ).toEqual([
      { name: 'postgres', status: 'up' },
      { name: 'redis', status: 'down', detail: 'timeout' },
    ]);
    expect(healthChecks('<html>')).toEqual([]);
  });

  it("reads the registry's and the serving side's aliases, and refuses another body", () => {
    expect(
      registryModels({
        models: [
          { name: 'lesson_completion', aliases: { champion: 3, challenger: 4, junk: 'x' } },
          { name: 'dropout_risk', aliases: {} },
        ],
      }),
    ).toEqual([
      { name: 'lesson_completion', aliases: { champion: 3, challenger: 4 } },
      { name: 'dropout_risk', aliases: {} },
    ]);
    expect(servedModels({ models: [{ model: 'm', aliases: { champion: 2, shadow: null } }] })).toEqual([
      { name: 'm', aliases: { champion: 2, shadow: null } },
    ]);
    expect(registryModels({ error: 'x' })).toBeNull();
  });

  it('picks the closed window ending last that has predictions; equal ends, the longer window', () => {
    const w = (window: string, start: string, end: string, closed: boolean, predictions: number, auc: number) => ({
      window,
      start,
      end,
      closed,
      version: 2,
      predictions,
      labelled: predictions / 2,
      quality: { n: predictions / 2, auc },
      estimatedAuc: auc - 0.01,
      trainingAuc: 0.86,
      driftedFeatures: 1,
      drift: { a: {}, b: {}, c: {} },
    });
    const view = {
      model: 'm',
      windows: [
        w('1h', '2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z', true, 0, 0.5),
        w('1h', '2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', false, 9, 0.6),
        w('1d', '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z', true, 400, 0.81),
        w('1d', '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z', false, 90, 0.7),
      ],
    };
    expect(newestClosedWindow(view)).toEqual({
      window: '1d',
      start: '2026-03-01T00:00:00Z',
      end: '2026-03-02T00:00:00Z',
      version: 2,
      predictions: 400,
      labelled: 200,
      auc: 0.81,
      estimatedAuc: 0.8,
      trainingAuc: 0.86,
      driftedFeatures: 1,
      features: 3,
    });
    view.windows[0].predictions = 5;
    expect(newestClosedWindow(view)?.window).toBe('1h');
    const sameEnd = {
      windows: [w('1h', '2026-03-01T23:00:00Z', '2026-03-02T00:00:00Z', true, 5, 0.5), view.windows[2]],
    };
    expect(newestClosedWindow(sameEnd)?.window).toBe('1d');
    expect(newestClosedWindow({ windows: [view.windows[1]] })).toBeNull();
    expect(newestClosedWindow({ model: 'm', version: null, windows: [] })).toBeNull();
  });

  it('lists the firing alerts oldest first, and counts running experiments', () => {
    const alerts = firingAlerts({
      alerts: [
        { rule: 'b', model: 'm', kind: 'drift', firing: true, firedAtMs: 2000, value: 5, threshold: 3, message: '' },
        { rule: 'a', model: 'm', kind: 'quality', firing: true, firedAtMs: 1000, value: 0.6, threshold: 0.7 },
        { rule: 'c', model: 'm', kind: 'drift', firing: false, firedAtMs: null, value: 0, threshold: 3 },
      ],
    });
    expect(alerts?.map((a) => [a.rule, a.since])).toEqual([
      ['a', '1970-01-01T00:00:01.000Z'],
      ['b', '1970-01-01T00:00:02.000Z'],
    ]);
    expect(firingAlerts([])).toBeNull();
    expect(
      experimentCounts({ experiments: [{ status: 'running' }, { status: 'draft' }, { status: 'running' }] }),
    ).toEqual({ running: 2, total: 3 });
  });
});

describe('status text', () => {
  it('shows each alias with the version inference serves when that differs', () => {
    expect(
      aliasesText({
        aliases: { shadow: 5, challenger: 4, champion: 3 },
        served: { champion: 2, challenger: 4, shadow: null },
      }),
    ).toBe('champion v3 (inference serves v2), challenger v4, shadow v5 (inference serves none)');
    expect(aliasesText({ aliases: {}, served: {} })).toBe('no aliases');
    expect(aliasesText({ aliases: null, served: { champion: 1, shadow: null } })).toBe('served: champion v1');
    expect(aliasesText({ aliases: null, served: null })).toBe('aliases unknown');
  });

  it('formats numbers and ages', () => {
    expect([fmt(0.80549), fmt(71), fmt(null), fmt(NaN)]).toEqual(['0.805', '71', '–', '–']);
    expect([age(0, 59_999), age(0, 60_000), age(0, 7_200_000), age(0, 3 * 86_400_000), age(5, 0)]).toEqual([
      '59s',
      '1m',
      '2h',
      '3d',
      '0s',
    ]);
  });
});
