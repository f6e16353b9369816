import { channelCompletionRateFeature } from './channel-completion-rate.derived-feature';
import { channelIsPrimaryFeature } from './channel-is-primary.derived-feature';
import { channelIsOwnFeature } from './channel-is-own.derived-feature';
import type { DerivedFeature } from './derived-feature.types';
import { hourDistanceToOwnFeature } from './hour-distance-to-own.derived-feature';
import { unopenedSendsFeature } from './unopened-sends.derived-feature';
import { difficultyGapFeature } from './difficulty-gap.derived-feature';
import { hourDistanceFeature } from './hour-distance.derived-feature';

/** Every derived feature a model spec may name; adding one is one file plus a line here. */
export const DERIVED_FEATURES: Readonly<Record<string, DerivedFeature>> = Object.fromEntries(
  [
    channelIsPrimaryFeature,
    channelCompletionRateFeature,
    hourDistanceFeature,
    difficultyGapFeature,
    channelIsOwnFeature,
    hourDistanceToOwnFeature,
    unopenedSendsFeature,
  ].map((f) => [f.name, f]),
);
