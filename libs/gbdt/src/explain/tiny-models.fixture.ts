/**
 * Hand-built and random GbdtModel values for the ONNX, TreeSHAP and importance specs and the SHAP
 * benchmark (test support only; not exported from the barrel).
 */
import { Prng } from '@pulse/core';
import type { GbdtModel, Objective, Tree } from '../model/model.types';

/** Uniform draws in [0, 1) from a seeded Prng. */
export function rng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

export interface NodeSpec {
  /** Internal node: split feature, threshold (rounded to float32), default direction, gain. */
  split?: { feature: number; threshold: number; defaultLeft?: boolean; gain?: number; left: NodeSpec; right: NodeSpec };
  /** Leaf value (leaves only). */
  value?: number;
  /** Leaf cover (leaves only); internal covers are the children's sum. */
  cover?: number;
}

/** A Tree from a nested spec, nodes numbered depth-first (root 0). */
export function buildTree(spec: NodeSpec): Tree {
  const t = {
    feature: [] as number[],
    threshold: [] as number[],
    left: [] as number[],
    right: [] as number[],
    defaultLeft: [] as boolean[],
    value: [] as number[],
    cover: [] as number[],
    gain: [] as number[],
  };
  const visit = (s: NodeSpec): number => {
    const id = t.feature.length;
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.defaultLeft.push(false);
    t.value.push(0);
    t.cover.push(0);
    t.gain.push(0);
    if (s.split) {
      const l = visit(s.split.left);
      const r = visit(s.split.right);
      t.feature[id] = s.split.feature;
      t.threshold[id] = Math.fround(s.split.threshold);
      t.left[id] = l;
      t.right[id] = r;
      t.defaultLeft[id] = s.split.defaultLeft ?? false;
      t.gain[id] = s.split.gain ?? 1;
      t.cover[id] = t.cover[l] + t.cover[r];
      t.value[id] = (t.value[l] * t.cover[l] + t.value[r] * t.cover[r]) / t.cover[id];
    } else {
      t.value[id] = s.value ?? 0;
      t.cover[id] = s.cover ?? 1;
    }
    return id;
  };
  visit(spec);
  return t;
}

/** A random tree of the given depth (full if `full`, else leaves appear early at random). */
export function randomTree(next: () => number, numFeatures: number, depth: number, full = true): Tree {
  const make = (d: number): NodeSpec => {
    if (d === depth || (!full && d > 0 && next() < 0.25)) {
      return { value: (next() - 0.5) * 0.4, cover: 1 + Math.floor(next() * 50) };
    }
    return {
      split: {
        feature: Math.floor(next() * numFeatures),
        threshold: Math.round((next() * 4 - 2) * 8) / 8,
        defaultLeft: next() < 0.5,
        gain: Math.round(next() * 1000) / 10,
        left: make(d + 1),
        right: make(d + 1),
      },
    };
  };
  return buildTree(make(0));
}

export function makeModel(
  objective: Objective,
  trees: Tree[],
  opts: { numFeatures: number; numClass?: number; baseMargin?: number[]; treeClass?: number[] },
): GbdtModel {
  const numClass = opts.numClass ?? 1;
  return {
    format: 'pulse-gbdt',
    formatVersion: 1,
    objective,
    numClass,
    baseMargin: opts.baseMargin ?? new Array<number>(numClass).fill(0),
    featureNames: Array.from({ length: opts.numFeatures }, (_, f) => `f${f}`),
    trees,
    treeClass: opts.treeClass ?? trees.map((_, i) => i % numClass),
    numRounds: Math.ceil(trees.length / numClass),
    params: {},
  };
}

/** A random model: `rounds` rounds of numClass trees each. */
export function randomModel(
  seed: number,
  objective: Objective,
  o: { numFeatures: number; rounds: number; depth: number; numClass?: number; full?: boolean },
): GbdtModel {
  const next = rng(seed);
  const K = o.numClass ?? 1;
  const trees: Tree[] = [];
  for (let i = 0; i < o.rounds * K; i++) trees.push(randomTree(next, o.numFeatures, o.depth, o.full ?? true));
  const baseMargin = Array.from({ length: K }, () => Math.round((next() - 0.5) * 100) / 100);
  return makeModel(objective, trees, { numFeatures: o.numFeatures, numClass: K, baseMargin });
}

/** Reference margin of one row, written independently of predict(): a plain walk of each tree of the first numRounds rounds. */
export function referenceMargin(model: GbdtModel, row: ArrayLike<number>): number[] {
  const m = [...model.baseMargin];
  const used = model.numRounds * (model.objective === 'multi:softprob' ? model.numClass : 1);
  model.trees.slice(0, used).forEach((t, i) => {
    let n = 0;
    while (t.feature[n] >= 0) {
      const x = Math.fround(row[t.feature[n]]);
      const left = Number.isNaN(x) ? t.defaultLeft[n] : x < t.threshold[n];
      n = left ? t.left[n] : t.right[n];
    }
    m[model.treeClass[i]] += t.value[n];
  });
  return m;
}
