import type { Channel } from '@pulse/contracts';
import type { LearnerTraits } from '../model/learner';
import type { LearnerSetup, LearnerWorld } from '../simulation/learner-world';

/** From this simulated day on (0 = the first day), the world is different. */
interface DriftAt {
  readonly day: number;
}

/**
 * The learners (or a share of them) come to prefer another channel; the platform keeps targeting the
 * one it knew, so its sends match less and the learners' own sessions move to the new channel.
 */
export interface ChannelPreferenceDrift extends DriftAt {
  readonly kind: 'channel-preference';
  /** Share of learners whose preference changes. Default 1 (all). */
  readonly share?: number;
  /** The channel they now prefer. Default 'sms' (the least preferred one before). */
  readonly to?: Channel;
}

/** Lessons sent (and practice done) from the day on are harder than their difficulty label says. */
export interface DifficultyDrift extends DriftAt {
  readonly kind: 'difficulty';
  /** Difficulty levels added (negative: easier). Default 1, in [-2, 2]. */
  readonly levels?: number;
}

/**
 * Learners from a new region join from the day on and behave differently: their day is shifted
 * against UTC (the platform still sends at its UTC hours), they prefer sms, and start less motivated.
 */
export interface NewRegionDrift extends DriftAt {
  readonly kind: 'new-region';
  /** Their profile region. Default 'latam'. */
  readonly region?: string;
  /** How many join. Default half the simulation's learners (rounded up). */
  readonly learners?: number;
  /** They join spread over this many days from the drift day. Default 7 (fewer near the end). */
  readonly joinSpreadDays?: number;
  /** Hours added to their preferred hour (their time zone against the platform's). Default 6, in [-12, 12]. */
  readonly hourShift?: number;
}

/**
 * Lessons sent on a channel and/or within some UTC hours are completed far less from the day on (a
 * provider fails, notifications are muted): the outcome changes, not the inputs.
 */
export interface DeliveryOutageDrift extends DriftAt {
  readonly kind: 'delivery-outage';
  /** Only sends on this channel. Default: every channel. */
  readonly channel?: Channel;
  /** Only sends within [from, to) UTC hours. Default [0, 24). */
  readonly hours?: readonly [number, number];
  /** What the completion odds of an affected lesson are multiplied by. Default 0.2, in [0, 1]. */
  readonly oddsRatio?: number;
}

export type DriftOptions = ChannelPreferenceDrift | DeliveryOutageDrift | DifficultyDrift | NewRegionDrift;
export type DriftKind = DriftOptions['kind'];

/** What a drift resolves to: its per-learner change and any learners it adds. */
export interface ResolvedDrift {
  readonly kind: DriftKind;
  readonly day: number;
  /** Epoch ms of the start of `day`. */
  readonly startMs: number;
  world?(learner: LearnerTraits): LearnerWorld;
  /** Learners who join because of the drift: how many, and how the j-th is drawn (its world is added by the simulation). */
  readonly newLearners?: {
    readonly count: number;
    readonly label: string;
    readonly drawTraits: LearnerSetup['drawTraits'];
  };
}

export interface DriftContext {
  readonly seed: string;
  readonly startTimeMs: number;
  readonly learners: number;
  readonly days: number;
  readonly live: boolean;
}

/** One kind of drift: validates its options (errors name `name`'s fields) and resolves defaults. */
export interface DriftKindSpec<D extends DriftOptions = DriftOptions> {
  resolve(options: D, name: string, context: DriftContext): ResolvedDrift;
}
