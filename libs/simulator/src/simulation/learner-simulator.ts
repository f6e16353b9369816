import type { AttributeValue, Channel, EngagementEvent } from '@pulse/contracts';
import { CHANNELS } from '@pulse/contracts';
import {
  COMPLETION,
  completionProbability,
  correctProbability,
  dayOfWeekFactor,
  dropoutHazard,
  medianAnswerSeconds,
} from '../model/behaviour';
import type { LearnerState, LearnerTraits, PendingLesson } from '../model/learner';
import {
  difficultyForSkill,
  difficultyLevel,
  drawLearner,
  driftMotivation,
  initialState,
  nudgeMotivation,
} from '../model/learner';
import type { Prng } from '@pulse/core';
import type { LearnerSetup, LearnerWorld } from './learner-world';
import type { CompletionOracleRecord } from './simulation-options';
import { DAY_MS, HOUR_MS } from './simulation-options';

const MINUTE_MS = 60_000;
const PLATFORM_SEND_HOURS = [7, 9, 12, 15, 18, 20];
const WINDOW_MS = 48 * HOUR_MS;

export type Emit = (event: EngagementEvent, oracle?: Omit<CompletionOracleRecord, 'windowObserved'>) => void;

/**
 * One learner's life, a day at a time. All randomness comes from the learner's own PRNG stream, so
 * learner k behaves identically whatever the number of other learners.
 */
export class LearnerSimulator {
  readonly traits: LearnerTraits;
  readonly state: LearnerState;
  private counter = 0;
  private readonly world: LearnerWorld;
  /** The channel the learner prefers today: the drawn one unless the world changed it. */
  private preferred: Channel;
  /** Start of the day being generated (a lesson's follow-up, even days later, belongs to its send's day). */
  private todayMs = 0;
  /** The first day the learner is gone (Infinity: stays). */
  readonly leaveDay: number;

  constructor(
    private readonly rng: Prng,
    index: number,
    joinSpreadDays: number,
    private readonly runTag: string,
    private readonly preferredChannelShare: number,
    setup: LearnerSetup = {},
  ) {
    this.traits = (setup.drawTraits ?? drawLearner)(rng, index, joinSpreadDays);
    this.state = initialState(this.traits, rng);
    this.world = setup.world?.(this.traits) ?? {};
    this.preferred = this.traits.preferredChannel;
    // Drawn from a stream of its own, so a learner's life up to leaving is the same with or without churn.
    this.leaveDay =
      setup.tenureDays === undefined || !Number.isFinite(setup.tenureDays)
        ? Infinity
        : this.traits.joinDay + Math.max(1, Math.ceil(rng.fork('tenure').exponential(setup.tenureDays)));
  }

  simulateDay(day: number, dayStartMs: number, emit: Emit): void {
    const { traits, state, rng } = this;
    if (day < traits.joinDay || day >= this.leaveDay) return;
    this.todayMs = dayStartMs;
    this.preferred = this.world.preferredChannel?.(dayStartMs, traits.preferredChannel) ?? traits.preferredChannel;
    if (day === traits.joinDay) {
      this.onboard(dayStartMs, emit);
    } else {
      driftMotivation(state, traits, rng);
      // Ignored lessons wear motivation down a little: fatigue feeds back into the future.
      nudgeMotivation(state, -0.03 * this.unstartedBefore(dayStartMs));
      if (!state.dropped && rng.bernoulli(dropoutHazard(state.motivation))) state.dropped = true;
      else if (state.dropped && rng.bernoulli(0.025)) {
        state.dropped = false;
        nudgeMotivation(state, 1.5);
      }
    }
    state.recentLessons = state.recentLessons.filter((l) => l.sentMs >= dayStartMs - 3 * DAY_MS);
    const dayFactor = dayOfWeekFactor(new Date(dayStartMs).getUTCDay(), traits.weekendFactor);
    if (!state.dropped) this.ownSessions(dayStartMs, dayFactor, emit);
    this.platformSends(dayStartMs, dayFactor, emit);
  }

  private event(
    eventType: string,
    timeMs: number,
    channel: Channel,
    contentId: string | undefined,
    attributes: Record<string, AttributeValue> = {},
  ): EngagementEvent {
    const { traits } = this;
    this.counter++;
    return {
      eventId: `${this.runTag}-${traits.index.toString(36)}-${this.counter.toString(36)}`,
      entityId: traits.entityId,
      eventType,
      eventTimeMs: Math.round(timeMs),
      channel,
      ...(contentId === undefined ? {} : { contentId }),
      attributes,
      profile: { role: traits.role, region: traits.region },
    };
  }

  /** Lesson k of the learner's n-th path: shared by every learner at the same point, never sent twice to one learner. */
  private lessonContent(k: number): string {
    const s = this.state;
    return `${s.pathDifficulty}-p${s.pathNumber}-l${String(k).padStart(2, '0')}`;
  }

  private pathContent(): string {
    return `path-${this.state.pathDifficulty}-${this.state.pathNumber}`;
  }

  private otherChannel(than: Channel = this.traits.preferredChannel): Channel {
    const others = CHANNELS.filter((c) => c !== than);
    return this.rng.pick(others);
  }

  /** The model's completion probability, changed by a treatment the learner is under. */
  private treated(sentMs: number, channel: Channel, inputs: Parameters<typeof completionProbability>[0]): number {
    const p = completionProbability(inputs);
    return this.world.completionProbability === undefined ? p : this.world.completionProbability(p, sentMs, channel);
  }

  private levelShift(): number {
    return this.world.levelShift?.(this.todayMs) ?? 0;
  }

  private hourTime(dayStartMs: number, hour: number): number {
    return dayStartMs + Math.min(23.99, Math.max(0, hour)) * HOUR_MS;
  }

  private unstartedBefore(timeMs: number): number {
    return this.state.recentLessons.filter(
      (l) =>
        l.sentMs < timeMs && l.sentMs >= timeMs - 3 * DAY_MS && (l.startedMs === undefined || l.startedMs > timeMs),
    ).length;
  }

  private onboard(dayStartMs: number, emit: Emit): void {
    const t = this.hourTime(dayStartMs, this.traits.preferredHour + this.rng.normal(0, 1));
    emit(this.event('session_started', t, this.preferred, undefined));
    emit(
      this.event('path_progress', t + MINUTE_MS, this.preferred, this.pathContent(), {
        completion_percentage: 0,
        difficulty: this.state.pathDifficulty,
      }),
    );
    this.state.lastEngagementMs = t + MINUTE_MS;
  }

  /** Sessions the learner starts unprompted, mostly at their hour and on their channel, often with practice questions. */
  private ownSessions(dayStartMs: number, dayFactor: number, emit: Emit): void {
    const { rng, traits, state } = this;
    const sessions = rng.poisson(1.2 * state.motivation * dayFactor);
    for (let i = 0; i < sessions; i++) {
      let t = this.hourTime(dayStartMs, traits.preferredHour + rng.normal(0, 2));
      const channel = rng.bernoulli(0.75) ? this.preferred : this.otherChannel(this.preferred);
      emit(this.event('session_started', t, channel, undefined));
      if (rng.bernoulli(0.5)) t = this.answer(t + rng.uniform(1, 4) * MINUTE_MS, channel, rng.int(1, 3), emit);
      state.lastEngagementMs = Math.max(state.lastEngagementMs ?? 0, t);
    }
  }

  /** The platform's delivery schedule: it does not know the learner's hour, and knows the channel only partly. */
  private platformSends(dayStartMs: number, dayFactor: number, emit: Emit): void {
    const { rng, state } = this;
    const inactive = state.lastEngagementMs === undefined || state.lastEngagementMs < dayStartMs - 7 * DAY_MS;
    const weekend = [0, 6].includes(new Date(dayStartMs).getUTCDay());
    const count = inactive
      ? rng.bernoulli(0.5)
        ? 1
        : 0
      : rng.weighted([0, 1, 2], weekend ? [0.35, 0.55, 0.1] : [0.1, 0.75, 0.15]);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(rng.pick(PLATFORM_SEND_HOURS));
    for (const hour of [...chosen].sort((a, b) => a - b)) {
      this.sendLesson(this.hourTime(dayStartMs, hour + rng.uniform(0, 0.5)), dayFactor, emit);
    }
  }

  private sendLesson(sentMs: number, dayFactor: number, emit: Emit): void {
    const { rng, traits, state } = this;
    if (state.nextLessonInPath > state.pathLessons) this.startNextPath(sentMs - 1000, emit);
    const channel = rng.bernoulli(this.preferredChannelShare) ? traits.preferredChannel : this.otherChannel();
    const contentId = this.lessonContent(state.nextLessonInPath++);
    const sentHour = (sentMs % DAY_MS) / HOUR_MS;
    const level = difficultyLevel(state.pathDifficulty) + this.levelShift();
    const shock = rng.normal(0, COMPLETION.lessonNoiseSd);
    const probability = state.dropped
      ? 0
      : this.treated(sentMs, channel, {
          motivation: state.motivation,
          channelMatch: channel === this.preferred,
          sentHour,
          preferredHour: traits.preferredHour,
          unstartedRecent: this.unstartedBefore(sentMs),
          dayFactor,
          difficultyGap: level - state.skill,
          lessonShock: shock,
        });
    const sent = this.event('lesson_sent', sentMs, channel, contentId);
    const completes = rng.next() < probability;
    emit(sent, {
      eventId: sent.eventId,
      entityId: traits.entityId,
      contentId,
      channel,
      sentAtMs: sentMs,
      probability,
      completedWithin48h: completes,
      motivation: state.motivation,
      dropped: state.dropped,
    });
    const pending: PendingLesson = { sentMs };
    state.recentLessons.push(pending);

    if (completes) {
      const duration = Math.min(60, rng.logNormal(Math.log(12), 0.5)) * MINUTE_MS;
      let startMs = this.startTime(sentMs);
      if (startMs + duration >= sentMs + WINDOW_MS)
        startMs = sentMs + rng.uniform(0.05 * HOUR_MS, WINDOW_MS - duration - MINUTE_MS);
      pending.startedMs = startMs;
      this.takeLesson(startMs, duration, channel, contentId, emit);
      return;
    }
    if (state.dropped) return;
    const v = rng.next();
    if (v < 0.25) {
      // Opened but abandoned.
      pending.startedMs = sentMs + Math.max(2 * MINUTE_MS, rng.exponential(10 * HOUR_MS));
      emit(this.event('session_started', pending.startedMs - rng.uniform(0.5, 1.9) * MINUTE_MS, channel, undefined));
      emit(this.event('lesson_started', pending.startedMs, channel, contentId));
    } else if (v < 0.25 + 0.4 * probability) {
      // Done, but too late for the 48-hour label.
      pending.startedMs = sentMs + WINDOW_MS + rng.exponential(12 * HOUR_MS);
      this.takeLesson(
        pending.startedMs,
        Math.min(60, rng.logNormal(Math.log(12), 0.5)) * MINUTE_MS,
        channel,
        contentId,
        emit,
      );
    }
  }

  /**
   * Every lesson of a path is sent once, skipped ones are not re-sent: a lesson_sent's 48-hour label
   * then depends on that send alone. A path is over when all its lessons have been sent.
   */
  private startNextPath(timeMs: number, emit: Emit): void {
    const { rng, state } = this;
    state.pathNumber++;
    state.pathDifficulty = difficultyForSkill(state.skill);
    state.pathLessons = rng.int(6, 14);
    state.lessonsDoneInPath = 0;
    state.nextLessonInPath = 1;
    emit(
      this.event('path_progress', timeMs, this.preferred, this.pathContent(), {
        completion_percentage: 0,
        difficulty: state.pathDifficulty,
      }),
    );
  }

  /** Most learners open a lesson around their own hour; some right away. */
  private startTime(sentMs: number): number {
    const { rng, traits } = this;
    if (rng.bernoulli(0.35)) return sentMs + Math.max(2 * MINUTE_MS, rng.exponential(1.5 * HOUR_MS));
    const dayStart = Math.floor(sentMs / DAY_MS) * DAY_MS;
    let t = this.hourTime(dayStart, traits.preferredHour + rng.normal(0, 1));
    while (t < sentMs + 2 * MINUTE_MS) t += DAY_MS;
    return t;
  }

  private takeLesson(startMs: number, durationMs: number, channel: Channel, contentId: string, emit: Emit): void {
    const { rng, state } = this;
    emit(this.event('session_started', startMs - rng.uniform(0.5, 1.9) * MINUTE_MS, channel, undefined));
    emit(this.event('lesson_started', startMs, channel, contentId));
    const doneMs = startMs + durationMs;
    emit(this.event('lesson_completed', doneMs, channel, contentId));
    const afterAnswers = this.answer(doneMs + rng.uniform(0.2, 2) * MINUTE_MS, channel, rng.int(1, 3), emit, contentId);
    state.lessonsDoneInPath++;
    nudgeMotivation(state, 0.08);
    const pct = Math.round((1000 * state.lessonsDoneInPath) / state.pathLessons) / 10;
    emit(
      this.event('path_progress', afterAnswers + 5_000, channel, this.pathContent(), {
        completion_percentage: pct,
        difficulty: state.pathDifficulty,
      }),
    );
    if (state.lessonsDoneInPath >= state.pathLessons) nudgeMotivation(state, 0.3);
    state.lastEngagementMs = Math.max(state.lastEngagementMs ?? 0, afterAnswers + 5_000);
  }

  /** `count` assessment answers from `startMs`; returns the time of the last. Practice raises skill. */
  private answer(
    startMs: number,
    channel: Channel,
    count: number,
    emit: Emit,
    contentId = this.lessonContent(Math.max(1, this.state.nextLessonInPath - 1)),
  ): number {
    const { rng, state } = this;
    const level = difficultyLevel(state.pathDifficulty) + this.levelShift();
    let t = startMs;
    for (let i = 0; i < count; i++) {
      const correct = rng.bernoulli(correctProbability(state.skill, level, state.motivation));
      const seconds = Math.round(10 * medianAnswerSeconds(state.skill, level, correct) * rng.logNormal(0, 0.35)) / 10;
      t += seconds * 1000;
      emit(
        this.event('assessment_answered', t, channel, contentId, { is_correct: correct, time_taken_seconds: seconds }),
      );
      state.skill += correct ? 0.02 : 0.005;
      t += rng.uniform(5, 40) * 1000;
    }
    return t;
  }
}
