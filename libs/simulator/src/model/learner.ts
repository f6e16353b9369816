import type { Channel } from '@pulse/contracts';
import { CHANNELS, DIFFICULTIES } from '@pulse/contracts';
import type { Difficulty } from '@pulse/contracts';
import type { Prng } from '@pulse/core';
import { logit, sigmoid } from './behaviour';

export const ROLES = ['engineer', 'nurse', 'sales', 'manager', 'teacher', 'analyst'] as const;
export const REGIONS = ['amer', 'emea', 'apac'] as const;
const CHANNEL_WEIGHTS = [0.2, 0.15, 0.35, 0.3]; // slack, sms, email, web
const HOUR_MODES = [8, 12.5, 19.5];

/** What never changes about a learner (hidden from the platform except through behaviour). */
export interface LearnerTraits {
  readonly index: number;
  readonly entityId: string;
  readonly initialMotivation: number;
  /** Logit units lost per day on average; some learners barely decay, some fade fast. */
  readonly motivationDecay: number;
  readonly preferredChannel: Channel;
  /** UTC hour (fractional) at which the learner usually engages. */
  readonly preferredHour: number;
  readonly initialSkill: number;
  /** Activity on Saturdays and Sundays relative to weekdays. */
  readonly weekendFactor: number;
  /** Day (from the start of the simulation) the learner joins. */
  readonly joinDay: number;
  readonly role: string;
  readonly region: string;
}

export interface PendingLesson {
  readonly sentMs: number;
  /** When the learner opened it, if they did (may lie after later sends: it is compared with their times). */
  startedMs?: number;
}

/** What evolves day by day. */
export interface LearnerState {
  motivation: number;
  skill: number;
  dropped: boolean;
  pathNumber: number;
  pathDifficulty: Difficulty;
  pathLessons: number;
  lessonsDoneInPath: number;
  nextLessonInPath: number;
  lastEngagementMs: number | undefined;
  recentLessons: PendingLesson[];
}

export function drawLearner(rng: Prng, index: number, joinSpreadDays: number): LearnerTraits {
  const hourMode = rng.weighted(HOUR_MODES, [0.35, 0.25, 0.4]);
  return {
    index,
    entityId: `learner-${String(index).padStart(6, '0')}`,
    initialMotivation: sigmoid(rng.normal(1.0, 0.8)),
    motivationDecay: rng.logNormal(Math.log(0.06), 0.9),
    preferredChannel: rng.weighted(CHANNELS, CHANNEL_WEIGHTS),
    preferredHour: (hourMode + rng.normal(0, 1.2) + 24) % 24,
    initialSkill: rng.normal(0.8, 0.7),
    weekendFactor: rng.logNormal(Math.log(0.7), 0.45),
    joinDay: joinSpreadDays > 0 ? Math.floor(rng.next() * joinSpreadDays) : 0,
    role: rng.pick(ROLES),
    region: rng.weighted(REGIONS, [0.4, 0.35, 0.25]),
  };
}

/** Paths get harder as skill grows: beginner below 0.7, advanced above 1.5. */
export function difficultyForSkill(skill: number): Difficulty {
  return skill < 0.7 ? DIFFICULTIES[0] : skill < 1.5 ? DIFFICULTIES[1] : DIFFICULTIES[2];
}

export function difficultyLevel(difficulty: Difficulty): number {
  return DIFFICULTIES.indexOf(difficulty);
}

export function initialState(traits: LearnerTraits, rng: Prng): LearnerState {
  return {
    motivation: traits.initialMotivation,
    skill: traits.initialSkill,
    dropped: false,
    pathNumber: 1,
    pathDifficulty: difficultyForSkill(traits.initialSkill),
    pathLessons: rng.int(6, 14),
    lessonsDoneInPath: 0,
    nextLessonInPath: 1,
    lastEngagementMs: undefined,
    recentLessons: [],
  };
}

/** One day of motivation drift: decay, noise, and the occasional renewed interest. */
export function driftMotivation(state: LearnerState, traits: LearnerTraits, rng: Prng): void {
  let z = logit(state.motivation) - traits.motivationDecay + rng.normal(0, 0.12);
  if (rng.bernoulli(0.02)) z += rng.uniform(0.8, 1.8);
  state.motivation = sigmoid(Math.max(-6, Math.min(6, z)));
}

export function nudgeMotivation(state: LearnerState, logitDelta: number): void {
  state.motivation = sigmoid(Math.max(-6, Math.min(6, logit(state.motivation) + logitDelta)));
}
