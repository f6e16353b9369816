// Random experiments for the reference specs: proportions and means, 2–4 variants, unequal weights,
// small and large n, a pre-period covariate correlated with the value, now and then a real effect.
import { Prng } from '@pulse/core';

export interface GeneratedVariant {
  name: string;
  values: number[];
  pre?: number[];
}

export interface GeneratedExperiment {
  seed: string;
  metricType: 'proportion' | 'mean';
  variants: GeneratedVariant[];
  control: string;
  weights: number[];
  alpha: number;
  correction: 'none' | 'holm' | 'bh';
  tuning: number;
}

const NAMES = ['control', 'treatment', 'variant-b', 'variant c'];
const ALPHAS = [0.05, 0.01, 0.1];
const CORRECTIONS = ['none', 'holm', 'bh'] as const;

/** `mismatch`: units arrive in other shares than the weights (the first variant gets 15% more). */
export function randomExperiment(seed: string, size: 'small' | 'large', mismatch = false): GeneratedExperiment {
  const rng = new Prng(seed);
  const metricType = rng.bernoulli(0.5) ? 'proportion' : 'mean';
  const k = rng.int(2, 4);
  const raw = Array.from({ length: k }, () => rng.int(1, 6));
  const total = raw.reduce((s, w) => s + w, 0);
  const weights = raw.map((w) => w / total);
  const units = size === 'small' ? rng.int(20 * k, 60 * k) : rng.int(5_000 * k, 30_000 * k);
  const actual = mismatch ? weights.map((w, i) => (i === 0 ? w * 1.15 : w)) : weights;
  const groups = Array.from({ length: k }, (): number[] => []);
  for (let u = 0; u < units; u++) groups[pickIndex(rng, actual)].push(u);
  for (const g of groups) while (g.length < 2) g.push(g.length);

  const withPre = metricType === 'mean' || rng.bernoulli(0.5);
  const baseMean = rng.uniform(5, 60);
  const sd = rng.uniform(2, 15);
  const slope = rng.uniform(0.3, 1.2);
  const rate = rng.uniform(0.05, 0.6);
  const variants = groups.map((g, i) => {
    const effect = i === 0 || rng.bernoulli(0.4) ? 0 : rng.uniform(-0.15, 0.2);
    const values: number[] = [];
    const pre: number[] = [];
    for (let u = 0; u < g.length; u++) {
      const x = rng.normal(baseMean, sd);
      if (metricType === 'mean') {
        values.push(baseMean * (1 + effect) + slope * (x - baseMean) + rng.normal(0, sd * 0.6));
      } else {
        const p = Math.min(0.95, Math.max(0.01, rate * (1 + effect) + 0.01 * (x - baseMean)));
        values.push(rng.bernoulli(p) ? 1 : 0);
      }
      pre.push(x);
    }
    return withPre ? { name: NAMES[i], values, pre } : { name: NAMES[i], values };
  });
  return {
    seed,
    metricType,
    variants,
    control: NAMES[rng.bernoulli(0.8) ? 0 : k - 1],
    weights,
    alpha: rng.pick(ALPHAS),
    correction: rng.pick(CORRECTIONS),
    tuning: rng.pick([5000, 1000, 20_000]),
  };
}

function pickIndex(rng: Prng, weights: readonly number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0) return i;
  }
  return weights.length - 1;
}
