/**
 * Samplers propose the next trial's parameters from the trials so far.
 *
 * - random: every parameter drawn independently from its distribution.
 * - TPE (tree-structured Parzen estimator, Bergstra et al. 2011, independent per parameter as in
 *   Optuna's default): after `startupTrials` random trials, the finished trials are split into the
 *   best `gamma` fraction ("good") and the rest ("bad"; pruned trials always count as bad). For each
 *   parameter, a Parzen density l(x) is fitted to the good values and g(x) to the bad ones (in the
 *   unit interval: truncated Gaussians centred on the observations, bandwidth the distance to the
 *   neighbours, plus a broad prior component), `candidates` values are drawn from l, and the one
 *   maximising l(x) / g(x) is proposed. Choices use smoothed category frequencies the same way.
 * Both draw only from the seeded Prng, so a seed fixes the sequence of proposals.
 */
import { Prng } from '@pulse/core';
import { fromUnit, toUnit, type ParamDistribution, type ParamValue, type SearchSpace } from './search-space';

export interface SamplerTrial {
  params: Record<string, ParamValue>;
  /** Score oriented so that higher is better; undefined if the trial failed. */
  score?: number;
  pruned: boolean;
}

export interface Sampler {
  propose(history: readonly SamplerTrial[]): Record<string, ParamValue>;
}

export function randomSampler(space: SearchSpace, seed: number): Sampler {
  const rng = new Prng(seed);
  return { propose: () => sampleRandom(space, rng) };
}

export interface TpeOptions {
  /** Random trials before the estimator is used; default 10 (at most a third of the budget, at least 3). */
  startupTrials?: number;
  /** Fraction of finished trials that count as good; default 0.25. */
  gamma?: number;
  /** Candidates drawn from l(x) per parameter; default 24. */
  candidates?: number;
}

export function tpeSampler(space: SearchSpace, seed: number, options: TpeOptions & { budget?: number } = {}): Sampler {
  const rng = new Prng(seed);
  const startup = options.startupTrials ?? Math.max(3, Math.min(10, Math.floor((options.budget ?? 30) / 3)));
  const gamma = options.gamma ?? 0.25;
  const candidates = options.candidates ?? 24;
  return {
    propose(history) {
      const scored = history.filter((t) => t.score !== undefined && Number.isFinite(t.score));
      if (scored.length < startup) return sampleRandom(space, rng);
      const complete = scored.filter((t) => !t.pruned).sort((a, b) => b.score! - a.score!);
      const nGood = Math.max(1, Math.ceil(gamma * complete.length));
      const good = complete.slice(0, nGood);
      const bad = [...complete.slice(nGood), ...scored.filter((t) => t.pruned)];
      if (good.length === 0 || bad.length === 0) return sampleRandom(space, rng);
      const out: Record<string, ParamValue> = {};
      for (const [name, d] of Object.entries(space)) {
        out[name] =
          d.type === 'choice'
            ? proposeChoice(
                d.values,
                good.map((t) => t.params[name]),
                bad.map((t) => t.params[name]),
                candidates,
                rng,
              )
            : fromUnit(
                d,
                proposeNumeric(
                  good.map((t) => toUnit(d, t.params[name] as number)),
                  bad.map((t) => toUnit(d, t.params[name] as number)),
                  candidates,
                  rng,
                ),
              );
      }
      return out;
    },
  };
}

function sampleRandom(space: SearchSpace, rng: Prng): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, d] of Object.entries(space) as [string, ParamDistribution][]) {
    out[name] = d.type === 'choice' ? d.values[rng.nextInt(d.values.length)] : fromUnit(d, rng.next());
  }
  return out;
}

interface Parzen {
  mu: number[];
  sigma: number[];
  weight: number[];
}

/** Gaussians at the observations (unit interval) plus a prior N(0.5, 1); bandwidth from the neighbours. */
export function parzen(points: number[]): Parzen {
  const mu = [...points, 0.5];
  const sorted = [0, ...points.slice().sort((a, b) => a - b), 1];
  const minSigma = 1 / Math.min(100, 1 + points.length);
  const sigma = points.map((p) => {
    const i = sorted.indexOf(p, 1);
    const gap = Math.max(p - sorted[i - 1], sorted[i + 1] - p);
    return Math.min(1, Math.max(minSigma, gap));
  });
  sigma.push(1);
  const weight = mu.map(() => 1 / mu.length);
  return { mu, sigma, weight };
}

export function parzenLogPdf(m: Parzen, x: number): number {
  let p = 0;
  for (let i = 0; i < m.mu.length; i++) {
    const z = (x - m.mu[i]) / m.sigma[i];
    const mass = normCdf((1 - m.mu[i]) / m.sigma[i]) - normCdf(-m.mu[i] / m.sigma[i]);
    p += (m.weight[i] * Math.exp(-0.5 * z * z)) / (m.sigma[i] * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(Math.max(p, 1e-300));
}

function sampleParzen(m: Parzen, rng: Prng): number {
  let c = 0;
  for (let r = rng.next(), acc = m.weight[0]; r > acc && c < m.mu.length - 1; acc += m.weight[++c]);
  for (let attempt = 0; attempt < 32; attempt++) {
    const x = m.mu[c] + m.sigma[c] * gaussian(rng);
    if (x >= 0 && x <= 1) return x;
  }
  return Math.min(1, Math.max(0, m.mu[c]));
}

function proposeNumeric(good: number[], bad: number[], candidates: number, rng: Prng): number {
  const l = parzen(good);
  const g = parzen(bad);
  let best = 0.5;
  let bestRatio = -Infinity;
  for (let i = 0; i < candidates; i++) {
    const x = sampleParzen(l, rng);
    const ratio = parzenLogPdf(l, x) - parzenLogPdf(g, x);
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = x;
    }
  }
  return best;
}

function proposeChoice(
  values: readonly ParamValue[],
  good: ParamValue[],
  bad: ParamValue[],
  candidates: number,
  rng: Prng,
): ParamValue {
  const freq = (obs: ParamValue[]) => {
    const counts = values.map((v) => 1 + obs.filter((o) => o === v).length);
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / total);
  };
  const l = freq(good);
  const g = freq(bad);
  let best = 0;
  let bestRatio = -Infinity;
  for (let i = 0; i < candidates; i++) {
    let c = 0;
    for (let r = rng.next(), acc = l[0]; r > acc && c < l.length - 1; acc += l[++c]);
    const ratio = l[c] / g[c];
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = c;
    }
  }
  return values[best];
}

function gaussian(rng: Prng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
