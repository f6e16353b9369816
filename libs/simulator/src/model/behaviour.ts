/**
 * The generative model's equations, as small pure functions (see ../../README.md for the story).
 * Coefficients are named constants so tests and the README can refer to them.
 */

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function logit(p: number): number {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
}

/** Circular distance between two hours of the day, 0..12. */
export function hourDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
}

/** 1 when a lesson arrives at the learner's preferred hour, falling off over ~3 hours. */
export function hourProximity(sentHour: number, preferredHour: number): number {
  const d = hourDistance(sentHour, preferredHour);
  return Math.exp(-(d * d) / (2 * 3 * 3));
}

export const COMPLETION = {
  intercept: -0.9,
  /** Per unit of logit(motivation). */
  motivation: 0.9,
  channelMatch: 0.9,
  hourProximity: 0.7,
  /** Per lesson sent in the previous 72 h that the learner has not started. */
  fatigue: -0.3,
  /** Times log(day-of-week activity factor). */
  dayFactor: 0.8,
  /** Per difficulty level above the learner's skill (negative: harder lessons are completed less). */
  difficultyGap: -0.45,
  /** Standard deviation of the per-lesson interest shock nobody can observe. */
  lessonNoiseSd: 0.9,
} as const;

export interface CompletionInputs {
  readonly motivation: number;
  readonly channelMatch: boolean;
  readonly sentHour: number;
  readonly preferredHour: number;
  readonly unstartedRecent: number;
  readonly dayFactor: number;
  /** Difficulty level (0, 1, 2) minus skill, in the same units. */
  readonly difficultyGap: number;
  readonly lessonShock: number;
}

/** True probability that a lesson sent now is completed within 48 h (the oracle). */
export function completionProbability(x: CompletionInputs): number {
  const c = COMPLETION;
  const z =
    c.intercept +
    c.motivation * logit(x.motivation) +
    (x.channelMatch ? c.channelMatch : 0) +
    c.hourProximity * hourProximity(x.sentHour, x.preferredHour) +
    c.fatigue * Math.min(x.unstartedRecent, 6) +
    c.dayFactor * Math.log(x.dayFactor) +
    c.difficultyGap * Math.max(0, x.difficultyGap) +
    x.lessonShock;
  return sigmoid(z);
}

/** Probability an assessment answer is correct: skill against difficulty, helped a bit by motivation. */
export function correctProbability(skill: number, difficultyLevel: number, motivation: number): number {
  return sigmoid(0.4 + 1.2 * (skill - difficultyLevel) + 0.8 * (motivation - 0.5));
}

/** Median seconds for an answer: harder and less skilled is slower, wrong answers take longer. */
export function medianAnswerSeconds(skill: number, difficultyLevel: number, correct: boolean): number {
  return 25 * (1 + 0.6 * difficultyLevel) * Math.exp(-0.25 * skill) * (correct ? 1 : 1.4);
}

/** Daily hazard of dropping out: near zero while motivated, steep below ~0.2. */
export function dropoutHazard(motivation: number): number {
  return 0.25 * sigmoid((0.18 - motivation) / 0.04);
}

/** Activity multiplier by UTC day of week (0 = Sunday), times the learner's own weekend factor. */
export function dayOfWeekFactor(dayOfWeek: number, weekendFactor: number): number {
  if (dayOfWeek === 0 || dayOfWeek === 6) return weekendFactor;
  return [1, 1.1, 1.05, 1, 0.95, 0.85, 1][dayOfWeek];
}
