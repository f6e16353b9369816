import type { Channel } from '@pulse/contracts';
import type { Prng } from '@pulse/core';
import type { LearnerTraits } from '../model/learner';

/**
 * How the world differs for one learner from the plain model: treatment effects and drift plug in
 * here. Every hook is optional and none draws from the learner's PRNG stream, so a learner without
 * hooks (or with hooks that change nothing) lives exactly the life it lives without them. Hooks are
 * asked on the day being generated: what follows from a lesson (even days later) belongs to the day
 * it was sent, so nothing before a change's day differs from the world without it.
 */
export interface LearnerWorld {
  /** The completion probability of a lesson sent at `sentMs` on `channel`, given the model's (a treatment effect, a drift). */
  completionProbability?(probability: number, sentMs: number, channel: Channel): number;
  /** Difficulty levels added to the label of lessons sent, and practice done, on the day starting at `dayStartMs`. */
  levelShift?(dayStartMs: number): number;
  /** The channel the learner prefers on the day starting at `dayStartMs`, given the one before; the platform keeps targeting the drawn one. */
  preferredChannel?(dayStartMs: number, current: Channel): Channel;
}

/** How a learner comes to be: who they are (default `drawLearner`) and how their world differs. */
export interface LearnerSetup {
  readonly drawTraits?: (rng: Prng, index: number, joinSpreadDays: number) => LearnerTraits;
  readonly world?: (traits: LearnerTraits) => LearnerWorld;
  /** Mean tenure in days (exponential, from a stream of its own); absent: the learner stays. */
  readonly tenureDays?: number;
}

/** Every change at once, in order: probabilities and channels pass through each, level shifts add up. */
export function composeWorlds(worlds: readonly LearnerWorld[]): LearnerWorld {
  const probability = worlds.filter((w) => w.completionProbability !== undefined);
  const level = worlds.filter((w) => w.levelShift !== undefined);
  const channel = worlds.filter((w) => w.preferredChannel !== undefined);
  return {
    ...(probability.length === 0
      ? {}
      : {
          completionProbability: (p: number, sentMs: number, channel: Channel) =>
            probability.reduce((q, w) => w.completionProbability!(q, sentMs, channel), p),
        }),
    ...(level.length === 0
      ? {}
      : { levelShift: (dayStartMs: number) => level.reduce((s, w) => s + w.levelShift!(dayStartMs), 0) }),
    ...(channel.length === 0
      ? {}
      : {
          preferredChannel: (dayStartMs: number, current: Channel) =>
            channel.reduce((c, w) => w.preferredChannel!(dayStartMs, c), current),
        }),
  };
}
