import { DefinitionError } from '@pulse/core';
import { defineExperiment } from './define-experiment';
import type { ExperimentStatus } from './experiment.types';
import { validateLayer } from './validate-layer';

const inLayer = (key: string, name: string, start: number, end: number, status: ExperimentStatus = 'running') =>
  defineExperiment({ key, variations: [0, 1], namespace: [name, start, end], status });

describe('validateLayer', () => {
  it('accepts adjacent ranges', () =>
    expect(() => validateLayer([inLayer('a', 'home', 0, 0.5), inLayer('b', 'home', 0.5, 1)])).not.toThrow());

  it('refuses overlapping ranges, naming both experiments', () =>
    expect(() => validateLayer([inLayer('a', 'home', 0, 0.6), inLayer('b', 'home', 0.5, 1)])).toThrow(
      new DefinitionError('namespace "home"', 'experiments "a" [0, 0.6) and "b" [0.5, 1) overlap'),
    ));

  it('finds an overlap hidden behind a wider range', () =>
    expect(() =>
      validateLayer([inLayer('wide', 'home', 0, 0.9), inLayer('x', 'home', 0.1, 0.2), inLayer('y', 'home', 0.3, 0.4)]),
    ).toThrow(/"wide" \[0, 0.9\) and "x" \[0.1, 0.2\) overlap/));

  it('lets other namespaces overlap', () =>
    expect(() => validateLayer([inLayer('a', 'home', 0, 1), inLayer('b', 'checkout', 0, 1)])).not.toThrow());

  it('frees the range of a stopped experiment', () =>
    expect(() => validateLayer([inLayer('old', 'home', 0, 1, 'stopped'), inLayer('new', 'home', 0, 1)])).not.toThrow());

  it('ignores experiments without a namespace', () =>
    expect(() =>
      validateLayer([defineExperiment({ key: 'a', variations: [0, 1] }), inLayer('b', 'home', 0, 1)]),
    ).not.toThrow());
});
