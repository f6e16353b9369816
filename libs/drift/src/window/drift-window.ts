// A window of live values counted into a reference profile's bins: fixed-size state (one count per
// bin plus an underflow and an overflow bin, or per reference category plus one bin for categories
// the reference never had), mergeable by adding counts, so partial windows from several consumers or
// time slices combine into exactly the window of all their values.
import { assertArray } from '../guards';
import { searchSorted } from '../binning/numpy-histogram';
import type { ReferenceProfile } from './reference-profile';

/** The serialisable state of a window. */
export interface DriftWindowState {
  profileKey: string;
  /**
   * Numeric: [below the first edge, bin 0, …, bin k−1, above the last edge].
   * Categorical: [category 0, …, category k−1, categories not in the reference].
   */
  counts: number[];
  /** Values counted (missing ones excluded). */
  total: number;
  /** NaN, ±Infinity, null and undefined skipped. */
  missing: number;
  /** Numeric: sums of the values below / above the reference's edges (where their mass sits). */
  underflowSum: number;
  overflowSum: number;
}

export class DriftWindow {
  private readonly state: DriftWindowState;
  private readonly categoryIndex?: Map<string, number>;

  constructor(
    readonly profile: ReferenceProfile,
    state?: DriftWindowState,
  ) {
    if (
      profile === null ||
      typeof profile !== 'object' ||
      (profile.kind !== 'numeric' && profile.kind !== 'categorical')
    )
      throw new TypeError('profile must be a ReferenceProfile (buildReferenceProfile)');
    const size = profile.kind === 'numeric' ? profile.edges.length + 1 : profile.categories.length + 1;
    if (state !== undefined) checkState(state, profile, size);
    this.state = state
      ? { ...state, counts: [...state.counts] }
      : {
          profileKey: profile.key,
          counts: new Array(size).fill(0),
          total: 0,
          missing: 0,
          underflowSum: 0,
          overflowSum: 0,
        };
    if (profile.kind === 'categorical') this.categoryIndex = new Map(profile.categories.map((c, i) => [c, i]));
  }

  get total(): number {
    return this.state.total;
  }

  get missing(): number {
    return this.state.missing;
  }

  /** A copy of the counts (see DriftWindowState.counts for their layout). */
  get counts(): number[] {
    return [...this.state.counts];
  }

  add(value: unknown): this {
    const s = this.state;
    if (this.profile.kind === 'numeric') {
      if (typeof value !== 'number' && value !== null && value !== undefined)
        throw new TypeError(`value must be a number, null or undefined, got ${typeof value}`);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        s.missing++;
        return this;
      }
      const edges = this.profile.edges;
      const last = edges.length - 1;
      let slot: number;
      if (value < edges[0]) {
        slot = 0;
        s.underflowSum += value;
      } else if (value > edges[last]) {
        slot = last + 1;
        s.overflowSum += value;
      } else slot = value === edges[last] ? last : searchSorted(edges, value, 'right');
      s.counts[slot]++;
      s.total++;
      return this;
    }
    const label = categoryText(value);
    if (label === undefined) {
      s.missing++;
      return this;
    }
    s.counts[this.categoryIndex!.get(label) ?? s.counts.length - 1]++;
    s.total++;
    return this;
  }

  addAll(values: ArrayLike<unknown>): this {
    assertArray(values, 'values');
    for (let i = 0; i < values.length; i++) this.add(values[i]);
    return this;
  }

  toState(): DriftWindowState {
    return { ...this.state, counts: [...this.state.counts] };
  }

  static fromState(profile: ReferenceProfile, state: DriftWindowState): DriftWindow {
    return new DriftWindow(profile, state);
  }

  /** mergeWindows(a, b). */
  static merge(a: DriftWindow, b: DriftWindow): DriftWindow {
    return mergeWindows(a, b);
  }
}

/** A new window holding both windows' values; they must share their profile. */
export function mergeWindows(a: DriftWindow, b: DriftWindow): DriftWindow {
  if (!(a instanceof DriftWindow)) throw new TypeError('a must be a DriftWindow');
  if (!(b instanceof DriftWindow)) throw new TypeError('b must be a DriftWindow');
  if (a.profile.key !== b.profile.key)
    throw new RangeError(`b counts into another profile (${b.profile.key}) than a (${a.profile.key})`);
  const x = a.toState();
  const y = b.toState();
  return new DriftWindow(a.profile, {
    profileKey: x.profileKey,
    counts: x.counts.map((c, i) => c + y.counts[i]),
    total: x.total + y.total,
    missing: x.missing + y.missing,
    underflowSum: x.underflowSum + y.underflowSum,
    overflowSum: x.overflowSum + y.overflowSum,
  });
}

/** A live categorical value's category: its text (numbers and booleans as String gives them). */
function categoryText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  throw new TypeError(`value must be a string, number, boolean, null or undefined, got ${typeof value}`);
}

function checkState(state: DriftWindowState, profile: ReferenceProfile, size: number): void {
  if (state === null || typeof state !== 'object') throw new TypeError('state must be a DriftWindowState');
  if (state.profileKey !== profile.key)
    throw new RangeError(`state belongs to profile ${state.profileKey}, not ${profile.key}`);
  if (!Array.isArray(state.counts) || state.counts.length !== size)
    throw new RangeError(`state.counts must hold ${size} counts for this profile`);
  let sum = 0;
  for (const c of state.counts) {
    if (!Number.isInteger(c) || c < 0) throw new RangeError('state.counts must be integers >= 0');
    sum += c;
  }
  if (sum !== state.total)
    throw new RangeError(`state.total (${state.total}) must equal the sum of state.counts (${sum})`);
  for (const f of ['missing', 'underflowSum', 'overflowSum'] as const)
    if (typeof state[f] !== 'number' || !Number.isFinite(state[f]))
      throw new RangeError(`state.${f} must be a finite number`);
}
