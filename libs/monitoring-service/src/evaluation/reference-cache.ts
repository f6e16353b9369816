import { Inject, Injectable } from '@nestjs/common';
import type { ReferenceProfile } from '@pulse/drift';
import { DEFAULT_MODELS, type ModelSpec } from '@pulse/models';
import type { DriftCalibration } from '@pulse/monitoring';
import { MS_INFRASTRUCTURE } from '../app/tokens';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';

/** The score's name among the drift windows' features. */
export const SCORE_FEATURE = '__score__';

/** What a served version is judged against: its training data's profile and its training quality. */
export interface ServingReference {
  readonly model: string;
  readonly version: number;
  /** By feature name, plus SCORE_FEATURE; empty when the version was registered without a profile. */
  readonly profiles: ReadonlyMap<string, ReferenceProfile>;
  /** The reference days' PSI spread per feature (and the score), for windows of its size; null when not stored. */
  readonly calibration: DriftCalibration | null;
  readonly trainingAuc: number | null;
  readonly fairnessMax: number | null;
  readonly fairnessAttributes: readonly string[];
}

/** Model versions' references from the registry, loaded once each (they never change). */
@Injectable()
export class ReferenceCache {
  private readonly cache = new Map<string, Promise<ServingReference | null>>();

  constructor(@Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure) {}

  get(model: string, version: number): Promise<ServingReference | null> {
    const key = `${model}\u0000${version}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.load(model, version);
      this.cache.set(key, entry);
      // A failed load (the database away) is tried again next time.
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  private async load(model: string, version: number): Promise<ServingReference | null> {
    if (version < 1) return null;
    let record;
    try {
      record = await this.infra.registry.getVersion(model, version);
    } catch (err) {
      if ((err as Error).name === 'VersionNotFoundError' || (err as Error).name === 'ModelNotFoundError') return null;
      throw err;
    }
    const spec: ModelSpec | undefined = (DEFAULT_MODELS as Record<string, ModelSpec>)[model];
    const raw = record.referenceProfile as {
      features?: Record<string, ReferenceProfile>;
      score?: ReferenceProfile;
      calibration?: DriftCalibration;
    } | null;
    const profiles = new Map<string, ReferenceProfile>(Object.entries(raw?.features ?? {}));
    if (raw?.score) profiles.set(SCORE_FEATURE, raw.score);
    const gates = spec?.gates.fairness;
    const fairnessMax =
      gates === undefined
        ? null
        : Math.min(gates.maxDemographicParityDifference ?? Infinity, gates.maxEqualizedOddsDifference ?? Infinity);
    const auc = record.metrics.auc;
    return {
      model,
      version,
      profiles,
      calibration: raw?.calibration ?? null,
      trainingAuc: typeof auc === 'number' && Number.isFinite(auc) ? auc : null,
      fairnessMax: fairnessMax === null || !Number.isFinite(fairnessMax) ? null : fairnessMax,
      fairnessAttributes: spec?.fairnessAttributes ?? [],
    };
  }
}
