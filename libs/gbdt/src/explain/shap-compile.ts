/**
 * A GbdtModel flattened for TreeSHAP, once per model (cached).
 *
 * Nodes are laid out in preorder (parents before children), with the share of its parent's cover
 * each node receives. Every leaf lists the unique features on its root path in order of first
 * appearance from the root, each with
 *   zero  the product of the cover shares of the path's splits on that feature, and
 *   lo, hi, nanOk  the float32 interval [lo, hi) the feature must lie in to follow the path (NaN =
 *         no bound) and whether a missing value follows it through the default directions.
 * Because that order is fixed from the root down, a feature's position (its bit) is the same for
 * every leaf below a node, so one preorder pass can carry each leaf's "followed features" bit
 * pattern down the tree (bit, newBit below).
 */
import type { GbdtModel } from '../model/model.types';

export interface CompiledShap {
  readonly numOutputs: number;
  readonly numFeatures: number;
  readonly maxDepth: number;
  /** Expected margin per output: base margin plus each tree's cover-weighted mean leaf value. */
  readonly bias: Float64Array;
  // All nodes, preorder per tree, trees one after another (absolute child indices).
  readonly roots: Int32Array;
  readonly treeClass: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly value: Float64Array;
  /** Share of its parent's cover that reaches each node (1 at roots). */
  readonly frac: Float64Array;
  // Internal nodes only, in preorder: index of the node, and the pattern bits of its feature:
  // bit = 1 << position of the feature on the path; newBit = bit if the feature is new here, else 0
  // (both 0 past bit 30; leaves with long paths test their intervals instead).
  readonly internalNode: Int32Array;
  readonly internalBit: Int32Array;
  readonly internalNewBit: Int32Array;
  // Leaves in preorder and their path features (entries leafStart[l] .. leafStart[l + 1]).
  readonly leafNode: Int32Array;
  readonly leafStart: Int32Array;
  readonly leafValue: Float64Array;
  readonly leafOut: Int32Array;
  readonly entryFeature: Int32Array;
  readonly entryZero: Float64Array;
  readonly entryLo: Float64Array;
  readonly entryHi: Float64Array;
  readonly entryNanOk: Uint8Array;
}

/** Shapley weights: weights[d * (maxD + 1) + s] = s! (d-1-s)! / d!  for 0 <= s < d <= maxD. */
export function shapleyWeights(maxD: number): Float64Array {
  const D = maxD + 1;
  const weights = new Float64Array(D * D);
  for (let d = 1; d < D; d++) {
    for (let s = 0; s < d; s++) {
      // s! (d-1-s)! / d! = 1 / (d C(d-1, s))
      let w = 1 / d;
      for (let i = 1; i <= s; i++) w *= i / (d - i);
      weights[d * D + s] = w;
    }
  }
  return weights;
}

const cache = new WeakMap<GbdtModel, CompiledShap>();

function usedTrees(model: GbdtModel): number {
  const perRound = model.objective === 'multi:softprob' ? model.numClass : 1;
  return Math.min(model.trees.length, model.numRounds * perRound);
}

interface Layout {
  roots: number[];
  treeClass: number[];
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  defaultLeft: number[];
  value: number[];
  frac: number[];
  parent: number[];
  bias: number[];
  maxDepth: number;
}

/** Copies the trees into preorder, checking structure, and computes cover shares and expected values. */
function layout(model: GbdtModel, numOutputs: number, numFeatures: number): Layout {
  const out: Layout = {
    roots: [],
    treeClass: [],
    feature: [],
    threshold: [],
    left: [],
    right: [],
    defaultLeft: [],
    value: [],
    frac: [],
    parent: [],
    bias: model.baseMargin.slice(0, numOutputs),
    maxDepth: 0,
  };
  const nTrees = usedTrees(model);
  for (let t = 0; t < nTrees; t++) {
    const tree = model.trees[t];
    const n = tree.feature.length;
    const k = model.treeClass[t];
    if (!(Number.isInteger(k) && k >= 0 && k < numOutputs))
      throw new RangeError(`model.treeClass[${t}] = ${k} is not an output index`);
    if (n === 0) throw new RangeError(`tree ${t} has no nodes`);
    const base = out.feature.length;
    out.roots.push(base);
    out.treeClass.push(k);
    const seen = new Uint8Array(n);
    // stack of [tree node, parent global index, share of parent cover, depth]
    const stack: [number, number, number, number][] = [[0, -1, 1, 0]];
    while (stack.length > 0) {
      const [i, p, share, depth] = stack.pop() as [number, number, number, number];
      if (seen[i]) throw new RangeError(`tree ${t}: node ${i} is reached twice (the nodes do not form a tree)`);
      seen[i] = 1;
      const g = out.feature.length;
      if (p >= 0) {
        if (out.left[p] === -2) out.left[p] = g;
        else out.right[p] = g;
      }
      const f = tree.feature[i];
      out.parent.push(p);
      out.frac.push(share);
      out.value.push(tree.value[i]);
      if (f < 0) {
        out.feature.push(-1);
        out.threshold.push(0);
        out.left.push(-1);
        out.right.push(-1);
        out.defaultLeft.push(0);
        if (depth > out.maxDepth) out.maxDepth = depth;
        continue;
      }
      if (!Number.isInteger(f) || f >= numFeatures)
        throw new RangeError(`tree ${t} node ${i}: feature ${f} is out of range (model has ${numFeatures} features)`);
      const l = tree.left[i];
      const r = tree.right[i];
      if (!(Number.isInteger(l) && Number.isInteger(r) && l > 0 && l < n && r > 0 && r < n)) {
        throw new RangeError(`tree ${t} node ${i}: child index out of range`);
      }
      out.feature.push(f);
      out.threshold.push(tree.threshold[i]);
      out.left.push(-2); // filled in when the children are placed (left first)
      out.right.push(-2);
      out.defaultLeft.push(tree.defaultLeft[i] ? 1 : 0);
      const cl = tree.cover[l];
      const cr = tree.cover[r];
      // Shares of the children's total (the parent's cover when training recorded it exactly);
      // a split no row reached falls back to halves so the value function stays an average.
      const sum = cl + cr;
      const ok = sum > 0 && Number.isFinite(sum) && cl >= 0 && cr >= 0;
      stack.push([r, g, ok ? cr / sum : 0.5, depth + 1], [l, g, ok ? cl / sum : 0.5, depth + 1]);
    }
    // expected value: children follow parents in preorder, so sweep backwards
    const mean = new Float64Array(out.feature.length - base);
    for (let g = out.feature.length - 1; g >= base; g--) {
      mean[g - base] =
        out.feature[g] < 0
          ? out.value[g]
          : out.frac[out.left[g]] * mean[out.left[g] - base] + out.frac[out.right[g]] * mean[out.right[g] - base];
    }
    out.bias[k] += mean[0];
  }
  return out;
}

/** Unique features on the path root..node (exclusive of the node itself), in order of first appearance. */
function pathFeatures(lay: Layout, node: number): number[] {
  const up: number[] = [];
  for (let p = lay.parent[node]; p >= 0; p = lay.parent[p]) up.push(lay.feature[p]);
  const seen = new Set<number>();
  const order: number[] = [];
  for (let i = up.length - 1; i >= 0; i--) {
    if (!seen.has(up[i])) {
      seen.add(up[i]);
      order.push(up[i]);
    }
  }
  return order;
}

export function compileShap(model: GbdtModel): CompiledShap {
  const cached = cache.get(model);
  if (cached) return cached;
  if (
    model === null ||
    typeof model !== 'object' ||
    !Array.isArray(model.trees) ||
    !Array.isArray(model.featureNames)
  ) {
    throw new TypeError('model must be a GbdtModel');
  }
  const numOutputs = model.objective === 'multi:softprob' ? model.numClass : 1;
  const numFeatures = model.featureNames.length;
  if (model.baseMargin.length < numOutputs)
    throw new RangeError(`model.baseMargin has ${model.baseMargin.length} values, expected ${numOutputs}`);
  const lay = layout(model, numOutputs, numFeatures);
  const total = lay.feature.length;
  const treeOfNode = new Int32Array(total);
  lay.roots.forEach((r, t) => treeOfNode.fill(t, r));

  const internalNode: number[] = [];
  const internalBit: number[] = [];
  const internalNewBit: number[] = [];
  const leafNode: number[] = [];
  const leafStart: number[] = [];
  const leafValue: number[] = [];
  const leafOut: number[] = [];
  const ef: number[] = [];
  const ez: number[] = [];
  const elo: number[] = [];
  const ehi: number[] = [];
  const enan: number[] = [];
  for (let g = 0; g < total; g++) {
    const above = pathFeatures(lay, g);
    if (lay.feature[g] >= 0) {
      const pos = above.indexOf(lay.feature[g]);
      const at = pos >= 0 ? pos : above.length;
      const bit = at <= 30 ? 1 << at : 0;
      internalNode.push(g);
      internalBit.push(bit);
      internalNewBit.push(pos >= 0 ? 0 : bit);
      continue;
    }
    leafNode.push(g);
    leafStart.push(ef.length);
    leafValue.push(lay.value[g]);
    leafOut.push(lay.treeClass[treeOfNode[g]]);
    const first = ef.length;
    for (const f of above) {
      ef.push(f);
      ez.push(1);
      elo.push(NaN);
      ehi.push(NaN);
      enan.push(1);
    }
    for (let child = g, p = lay.parent[g]; p >= 0; child = p, p = lay.parent[p]) {
      const e = first + above.indexOf(lay.feature[p]);
      const wentLeft = lay.left[p] === child;
      const t = lay.threshold[p];
      ez[e] *= lay.frac[child];
      if (wentLeft) ehi[e] = Number.isNaN(ehi[e]) ? t : Math.min(ehi[e], t);
      else elo[e] = Number.isNaN(elo[e]) ? t : Math.max(elo[e], t);
      if ((lay.defaultLeft[p] === 1) !== wentLeft) enan[e] = 0;
    }
  }
  leafStart.push(ef.length);

  const c: CompiledShap = {
    numOutputs,
    numFeatures,
    maxDepth: lay.maxDepth,
    bias: Float64Array.from(lay.bias),
    roots: Int32Array.from(lay.roots),
    treeClass: Int32Array.from(lay.treeClass),
    feature: Int32Array.from(lay.feature),
    threshold: Float64Array.from(lay.threshold),
    left: Int32Array.from(lay.left),
    right: Int32Array.from(lay.right),
    defaultLeft: Uint8Array.from(lay.defaultLeft),
    value: Float64Array.from(lay.value),
    frac: Float64Array.from(lay.frac),
    internalNode: Int32Array.from(internalNode),
    internalBit: Int32Array.from(internalBit),
    internalNewBit: Int32Array.from(internalNewBit),
    leafNode: Int32Array.from(leafNode),
    leafStart: Int32Array.from(leafStart),
    leafValue: Float64Array.from(leafValue),
    leafOut: Int32Array.from(leafOut),
    entryFeature: Int32Array.from(ef),
    entryZero: Float64Array.from(ez),
    entryLo: Float64Array.from(elo),
    entryHi: Float64Array.from(ehi),
    entryNanOk: Uint8Array.from(enan),
  };
  cache.set(model, c);
  return c;
}
