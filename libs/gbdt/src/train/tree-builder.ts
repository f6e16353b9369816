/**
 * Grows one regression tree on gradient/hessian histograms.
 *
 * Rows of the tree live in positions [0, n) of one of two position buffers (hist-kernel.ts), in two
 * shards: [0, n / 2) and [n / 2, n). Every node owns one contiguous range in each shard, and
 * splitting a node moves each of its ranges into the same range of the other buffer (left rows
 * from the range's start, right rows from its end), bins included, so every histogram is a
 * sequential scan and no count of the left rows is needed first: the two threads move one shard
 * each. After the tree, rows left in the other buffer are copied back so the next tree starts
 * from one buffer.
 * Histograms: only the smaller child of a split
 * is built from rows; the larger child's is the parent's minus the smaller's (the subtraction trick),
 * computed in place in the parent's buffer. Children that can never be split (depth cap reached) get
 * no histogram at all.
 *
 * Depth-wise growth expands a whole level at once (one batched histogram build per level);
 * leaf-wise (lossguide) growth always expands the open leaf with the largest loss change.
 */
import type { Tree } from '../model/model.types';
import type { BinMapper } from './binning';
import type { HistTask, PartitionTask, TrainingOps } from './training-ops.types';
import { moveFlagged, type PosBuffer } from './hist-kernel';
import type { GrowPolicy } from './params';
import { emptySplit, findBestSplit, leafWeight, type SplitCandidate, type SplitParams } from './split';

export interface TreeBuilderConfig {
  numFeatures: number;
  mapper: BinMapper;
  numRows: number;
  /** Gradient pairs by original row (exact leaf sums of quantized trees). */
  gh: Float32Array;
  /** The two position buffers; buffer 0 holds every row (any order) before the first tree. */
  pos: [PosBuffer, PosBuffer];
  rowStride: number;
  ops: TrainingOps;
  stride: number;
  split: SplitParams;
  eta: number;
  /** 0 = no depth cap. */
  maxDepth: number;
  /** 0 = no leaf cap. */
  maxLeaves: number;
  growPolicy: GrowPolicy;
}

interface GrowNode {
  id: number;
  /** Position buffer holding the node's rows. */
  buf: number;
  /** The node's range in shard 0: [s0, e0), and in shard 1: [s1, e1). */
  s0: number;
  e0: number;
  s1: number;
  e1: number;
  G: number;
  H: number;
  C: number;
  depth: number;
  hist: Float64Array | null;
  split: SplitCandidate;
}

/**
 * A tree's gradient quantization: value of one quantum of g and of h, their inverses (the scales
 * applied before rounding), the packing shift and the seed of the stochastic rounding.
 */
export interface Quantization {
  gUnit: number;
  hUnit: number;
  gScale: number;
  hScale: number;
  shift: number;
  seed: number;
}

export interface BuildOptions {
  /** Quantized histograms: required exactly when the stride is 1. */
  quant?: Quantization;
  /** Row subsample: grow the tree on the rows r with sample[r] !== 0 only. */
  sample?: Uint8Array | null;
}

export interface BuiltTree {
  tree: Tree;
  /** Bin of each internal node's split (rows with bin <= splitBin go left); -1 for leaves. */
  splitBin: Int32Array;
  /** Leaves with their position ranges in buffer `buf` (one entry per non-empty range), for the margin update. */
  leaves: { node: number; start: number; end: number }[];
  /**
   * Splits whose children are leaves at the depth cap (one entry per non-empty range): their rows
   * were routed in place, not moved, so positions [start, end) of buffer `buf` hold both leaves' rows; rows
   * with bin <= bin (the missing bin by defaultLeft) are in leaf `left`, the others in `right`.
   * The builder's last ops.splitSums recorded each position's side, so ops.addLeaves can route them.
   */
  routed: RoutedSplit[];
  /** The buffer holding every row after the tree (the next tree starts from it). */
  buf: number;
  /** Original row of each position of that buffer. */
  rows: Int32Array;
}

export interface RoutedSplit {
  left: number;
  right: number;
  start: number;
  end: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
}

/** A node's non-empty ranges, shard 0's first. */
function rangesOf(n: GrowNode): [number, number][] {
  const out: [number, number][] = [];
  if (n.e0 > n.s0) out.push([n.s0, n.e0]);
  if (n.e1 > n.s1) out.push([n.s1, n.e1]);
  return out;
}

export class TreeBuilder {
  private readonly histSize: number;
  private readonly freeHists: Float64Array[] = [];
  /** Buffer holding all rows between trees. */
  private cur = 0;

  constructor(private readonly cfg: TreeBuilderConfig) {
    this.histSize = cfg.mapper.totalBins * cfg.stride;
  }

  /** Grows a tree over all rows (or the sampled ones). */
  build(features: Int32Array, options: BuildOptions = {}): BuiltTree {
    const cfg = this.cfg;
    const quant = options.quant;
    if ((cfg.stride === 1) !== (quant !== undefined))
      throw new Error('quantization parameters must be given exactly when stride is 1');
    this.quant = quant;
    const feature: number[] = [];
    const splitBinList: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const defaultLeft: boolean[] = [];
    const value: number[] = [];
    const cover: number[] = [];
    const gain: number[] = [];
    const addNode = (G: number, H: number): number => {
      feature.push(-1);
      splitBinList.push(-1);
      threshold.push(0);
      left.push(-1);
      right.push(-1);
      defaultLeft.push(false);
      value.push(leafWeight(G, H, cfg.split) * cfg.eta);
      cover.push(H);
      gain.push(0);
      return feature.length - 1;
    };

    const gh = cfg.gh;
    const S = cfg.rowStride;
    let rootBuf = this.cur;
    let numRows = cfg.numRows;
    if (options.sample) {
      // sampled rows first, in the other buffer; the rest stay at [numRows, N) until the tree is done
      numRows = moveFlagged(cfg.pos[rootBuf], cfg.pos[1 - rootBuf], S, cfg.numRows, options.sample);
      rootBuf = 1 - rootBuf;
    }
    cfg.ops.gather(
      rootBuf,
      numRows,
      quant ? { gScale: quant.gScale, hScale: quant.hScale, shift: quant.shift, seed: quant.seed } : null,
    );
    /** The node's split as two tasks, shard 0's range then shard 1's (empty ranges included, so task 2i + s is shard s of node i). */
    const splitTasks = (n: GrowNode): PartitionTask[] => {
      const t = {
        buf: n.buf,
        feature: n.split.feature,
        bin: n.split.bin,
        defaultLeft: n.split.defaultLeft,
        missingBin: cfg.mapper.numBins[n.split.feature],
      };
      return [
        { ...t, start: n.s0, end: n.e0, shard: 0 },
        { ...t, start: n.s1, end: n.e1, shard: 1 },
      ];
    };
    const canSplitAt = (depth: number): boolean => cfg.maxDepth === 0 || depth < cfg.maxDepth;
    const splittable = canSplitAt(0) && !(cfg.maxLeaves > 0 && cfg.maxLeaves <= 1) && cfg.numFeatures > 0;
    let rootHist: Float64Array | null = null;
    if (splittable) {
      rootHist = this.allocHist();
      cfg.ops.build([{ buf: rootBuf, start: 0, end: numRows, hist: rootHist }]);
    }
    // node totals: every row falls in exactly one bin of feature 0 (missing bin included)
    let G = 0;
    let H = 0;
    const pay = cfg.pos[rootBuf].pay;
    if (quant) {
      let v = 0;
      if (rootHist) {
        for (let b = 0; b <= cfg.mapper.numBins[0]; b++) v += rootHist[b];
      } else {
        for (let i = 0; i < numRows; i++) v += pay[i];
      }
      const mul = 2 ** quant.shift;
      const gq = Math.floor(v / mul);
      G = gq * quant.gUnit;
      H = (v - gq * mul) * quant.hUnit;
    } else if (rootHist) {
      const st = cfg.stride;
      for (let b = 0; b <= cfg.mapper.numBins[0]; b++) {
        G += rootHist[b * st];
        H += rootHist[b * st + 1];
      }
    } else {
      for (let i = 0; i < numRows; i++) {
        G += pay[2 * i];
        H += pay[2 * i + 1];
      }
    }
    const half = numRows >> 1;
    const root: GrowNode = {
      id: addNode(G, H),
      buf: rootBuf,
      s0: 0,
      e0: half,
      s1: half,
      e1: numRows,
      G,
      H,
      C: numRows,
      depth: 0,
      hist: rootHist,
      split: emptySplit(),
    };
    const grown: GrowNode[] = [root];
    let numLeaves = 1;
    const leafCapReached = (): boolean => cfg.maxLeaves > 0 && numLeaves >= cfg.maxLeaves;
    if (rootHist) this.evaluate(root, features);

    /**
     * Partitions the rows of all nodes (one batch, both shards) into the other buffer, then records
     * the splits and creates the children. The gradient payload moves only when the children get histograms.
     */
    const applySplits = (nodes: GrowNode[], childrenGetHistograms: boolean): [GrowNode, GrowNode][] => {
      const counts = cfg.ops.partition(nodes.flatMap(splitTasks), childrenGetHistograms);
      return nodes.map((n, i) => applySplit(n, counts[2 * i], counts[2 * i + 1]));
    };

    const applySplit = (node: GrowNode, left0: number, left1: number): [GrowNode, GrowNode] => {
      const s = node.split;
      feature[node.id] = s.feature;
      splitBinList[node.id] = s.bin;
      threshold[node.id] = cfg.mapper.thresholds[s.feature][s.bin];
      defaultLeft[node.id] = s.defaultLeft;
      gain[node.id] = s.gain;
      const cl = left0 + left1;
      const m0 = node.s0 + left0;
      const m1 = node.s1 + left1;
      const l: GrowNode = {
        id: addNode(s.leftG, s.leftH),
        buf: 1 - node.buf,
        s0: node.s0,
        e0: m0,
        s1: node.s1,
        e1: m1,
        G: s.leftG,
        H: s.leftH,
        C: cl,
        depth: node.depth + 1,
        hist: null,
        split: emptySplit(),
      };
      const rG = node.G - s.leftG;
      const rH = node.H - s.leftH;
      const r: GrowNode = {
        id: addNode(rG, rH),
        buf: 1 - node.buf,
        s0: m0,
        e0: node.e0,
        s1: m1,
        e1: node.e1,
        G: rG,
        H: rH,
        C: node.C - cl,
        depth: node.depth + 1,
        hist: null,
        split: emptySplit(),
      };
      left[node.id] = l.id;
      right[node.id] = r.id;
      grown.push(l, r);
      numLeaves++;
      return [l, r];
    };

    /**
     * A split whose children can never be split: records it and creates both leaves, leaving the
     * rows where they are (the margin update routes them by the split; see BuiltTree.routed).
     */
    const routed: { parent: GrowNode; left: number; right: number }[] = [];
    const routeSplit = (node: GrowNode): void => {
      const s = node.split;
      feature[node.id] = s.feature;
      splitBinList[node.id] = s.bin;
      threshold[node.id] = cfg.mapper.thresholds[s.feature][s.bin];
      defaultLeft[node.id] = s.defaultLeft;
      gain[node.id] = s.gain;
      const l = addNode(s.leftG, s.leftH);
      const r = addNode(node.G - s.leftG, node.H - s.leftH);
      left[node.id] = l;
      right[node.id] = r;
      routed.push({ parent: node, left: l, right: r });
      numLeaves++;
      this.freeHist(node);
    };

    /** Histograms for split pairs: build the smaller child, subtract for the larger (reusing the parent's buffer). */
    const childHistograms = (pairs: [GrowNode, GrowNode, GrowNode][]): void => {
      const tasks: HistTask[] = [];
      for (const [parent, l, r] of pairs) {
        const small = l.C <= r.C ? l : r;
        small.hist = this.allocHist();
        // both ranges into the one histogram
        tasks.push(
          { buf: small.buf, start: small.s0, end: small.e0, hist: small.hist },
          { buf: small.buf, start: small.s1, end: small.e1, hist: small.hist },
        );
        (small === l ? r : l).hist = parent.hist;
        parent.hist = null;
      }
      cfg.ops.build(tasks);
      const size = this.histSize;
      for (const [, l, r] of pairs) {
        const small = l.C <= r.C ? l : r;
        const large = small === l ? r : l;
        const s = small.hist!;
        const big = large.hist!;
        for (let j = 0; j < size; j++) big[j] -= s[j];
      }
    };

    if (cfg.growPolicy === 'depthwise') {
      let level: GrowNode[] = [root];
      while (level.length > 0) {
        let candidates = level.filter((n) => n.split.feature >= 0);
        for (const n of level) if (n.split.feature < 0) this.freeHist(n);
        if (cfg.maxLeaves > 0) {
          const room = cfg.maxLeaves - numLeaves;
          if (candidates.length > room) {
            const keep = new Set(
              candidates
                .slice()
                .sort((a, b) => b.split.gain - a.split.gain || a.id - b.id)
                .slice(0, Math.max(0, room)),
            );
            for (const n of candidates) if (!keep.has(n)) this.freeHist(n);
            candidates = candidates.filter((n) => keep.has(n));
          }
        }
        if (candidates.length === 0) break;
        const next: GrowNode[] = [];
        const pairs: [GrowNode, GrowNode, GrowNode][] = [];
        const childDepth = candidates[0].depth + 1;
        const childrenSplittable = canSplitAt(childDepth);
        if (!childrenSplittable) {
          for (const node of candidates) routeSplit(node);
          break;
        }
        const children = applySplits(candidates, childrenSplittable);
        for (let i = 0; i < candidates.length; i++) {
          const node = candidates[i];
          const [l, r] = children[i];
          next.push(l, r);
          if (childrenSplittable) pairs.push([node, l, r]);
          else this.freeHist(node);
        }
        if (!childrenSplittable || leafCapReached()) {
          for (const [parent] of pairs) this.freeHist(parent);
          break;
        }
        childHistograms(pairs);
        for (const n of next) this.evaluate(n, features);
        level = next;
      }
    } else {
      const open: GrowNode[] = root.split.feature >= 0 ? [root] : [];
      if (root.split.feature < 0) this.freeHist(root);
      while (open.length > 0 && !leafCapReached()) {
        let bi = 0;
        for (let i = 1; i < open.length; i++) {
          if (
            open[i].split.gain > open[bi].split.gain ||
            (open[i].split.gain === open[bi].split.gain && open[i].id < open[bi].id)
          )
            bi = i;
        }
        const node = open[bi];
        open.splice(bi, 1);
        if (!canSplitAt(node.depth + 1)) {
          routeSplit(node);
          continue;
        }
        const [[l, r]] = applySplits([node], canSplitAt(node.depth + 1));
        if (!canSplitAt(l.depth) || leafCapReached()) {
          this.freeHist(node);
          continue;
        }
        childHistograms([[node, l, r]]);
        for (const c of [l, r]) {
          this.evaluate(c, features);
          if (c.split.feature >= 0) open.push(c);
          else this.freeHist(c);
        }
      }
      for (const n of open) this.freeHist(n);
    }

    const leafNodes = grown.filter((n) => feature[n.id] < 0);
    // each routed split's exact side sums (shard 0's, then shard 1's, added); also records every row's side for the margin update
    const sums = cfg.ops.splitSums(routed.flatMap(({ parent }) => splitTasks(parent)));
    if (quant) {
      // splits were chosen on quantized sums; leaf values and covers use the exact gradients
      const nodeG = new Float64Array(feature.length);
      const nodeH = new Float64Array(feature.length);
      for (const leaf of leafNodes) {
        const perm = cfg.pos[leaf.buf].perm;
        let g = 0;
        let h = 0;
        for (const [start, end] of rangesOf(leaf)) {
          for (let i = start; i < end; i++) {
            const r = perm[i];
            g += gh[2 * r];
            h += gh[2 * r + 1];
          }
        }
        nodeG[leaf.id] = g;
        nodeH[leaf.id] = h;
      }
      routed.forEach(({ left: l, right: r }, i) => {
        const a = 8 * i;
        nodeG[l] = sums[a] + sums[a + 4];
        nodeH[l] = sums[a + 1] + sums[a + 5];
        nodeG[r] = sums[a + 2] + sums[a + 6];
        nodeH[r] = sums[a + 3] + sums[a + 7];
      });
      for (let id = feature.length - 1; id >= 0; id--) {
        if (feature[id] >= 0) {
          nodeG[id] = nodeG[left[id]] + nodeG[right[id]];
          nodeH[id] = nodeH[left[id]] + nodeH[right[id]];
        }
        value[id] = leafWeight(nodeG[id], nodeH[id], cfg.split) * cfg.eta;
        cover[id] = nodeH[id];
      }
    }
    // gather every row into one buffer for the next tree (the one already holding most of them)
    const ranges = leafNodes.flatMap((n) => rangesOf(n).map(([start, end]) => ({ buf: n.buf, start, end })));
    for (const { parent: n } of routed) for (const [start, end] of rangesOf(n)) ranges.push({ buf: n.buf, start, end });
    if (numRows < cfg.numRows) ranges.push({ buf: rootBuf, start: numRows, end: cfg.numRows });
    let inZero = 0;
    for (const r of ranges) if (r.buf === 0) inZero += r.end - r.start;
    const target = inZero * 2 >= cfg.numRows ? 0 : 1;
    const dst = cfg.pos[target];
    const src = cfg.pos[1 - target];
    for (const r of ranges) {
      if (r.buf === target) continue;
      dst.bins.set(src.bins.subarray(r.start * S, r.end * S), r.start * S);
      dst.perm.set(src.perm.subarray(r.start, r.end), r.start);
    }
    this.cur = target;
    return {
      tree: { feature, threshold, left, right, defaultLeft, value, cover, gain },
      splitBin: Int32Array.from(splitBinList),
      leaves: leafNodes.flatMap((n) => rangesOf(n).map(([start, end]) => ({ node: n.id, start, end }))),
      routed: routed.flatMap(({ parent: n, left: l, right: r }) =>
        rangesOf(n).map(([start, end]) => ({
          left: l,
          right: r,
          start,
          end,
          feature: n.split.feature,
          bin: n.split.bin,
          defaultLeft: n.split.defaultLeft,
        })),
      ),
      buf: target,
      rows: dst.perm,
    };
  }

  private evaluate(node: GrowNode, features: Int32Array): void {
    const cfg = this.cfg;
    if (node.hist === null) return;
    const q = this.quant;
    if (q) {
      // decode packed sums into a [g, h] histogram for the split search
      const src = node.hist;
      const out = (this.decoded ??= new Float64Array(2 * cfg.mapper.totalBins));
      const mul = 2 ** q.shift;
      // mul is a power of two, so v * (1 / mul) equals v / mul exactly and skips a division per bin
      const inv = 1 / mul;
      for (let j = 0; j < src.length; j++) {
        const v = src[j];
        const gq = Math.floor(v * inv);
        out[2 * j] = gq * q.gUnit;
        out[2 * j + 1] = (v - gq * mul) * q.hUnit;
      }
      findBestSplit(out, 2, cfg.mapper, features, node.G, node.H, node.C, cfg.split, node.split);
      return;
    }
    findBestSplit(node.hist, cfg.stride, cfg.mapper, features, node.G, node.H, node.C, cfg.split, node.split);
  }

  private quant: Quantization | undefined;
  private decoded: Float64Array | undefined;

  private allocHist(): Float64Array {
    return this.freeHists.pop() ?? this.cfg.ops.allocHist();
  }

  private freeHist(node: GrowNode): void {
    if (node.hist !== null) {
      this.freeHists.push(node.hist);
      node.hist = null;
    }
  }
}
