import type { LabelSpec } from '../spec/model-spec.types';
import { activityChangeLabel } from './activity-change.label';
import { eventWithinLabel } from './event-within.label';
import type { LabelKind } from './label.types';

/** Every label kind a model spec may use, by its `kind`. */
export const LABELS: Readonly<Record<LabelSpec['kind'], LabelKind>> = {
  eventWithin: eventWithinLabel as LabelKind,
  activityChange: activityChangeLabel as LabelKind,
};
