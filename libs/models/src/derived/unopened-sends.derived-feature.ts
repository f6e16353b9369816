import { numberOrNaN, type DerivedFeature } from './derived-feature.types';

/** Lessons sent in the last 3 days beyond those the learner opened: the fatigue of unread sends. */
export const unopenedSendsFeature: DerivedFeature = {
  name: 'unopened_sends_3d',
  description: 'lessons sent in the last 3 days minus lessons started in them (≥ 0)',
  requires: ['learner_activity.lessons_sent_3d', 'learner_activity.lessons_started_3d'],
  reads: [],
  compute(view) {
    const sent = numberOrNaN(view('learner_activity.lessons_sent_3d'));
    const started = numberOrNaN(view('learner_activity.lessons_started_3d'));
    return Math.max(0, (Number.isNaN(sent) ? 0 : sent) - (Number.isNaN(started) ? 0 : started));
  },
};
