import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@pulse/core';
import {
  defineExperiment,
  LEARNING_METRICS,
  validateLayer,
  type Experiment,
  type ExperimentDefinition,
  type ExperimentStatus,
} from '@pulse/experiments';
import type { StoredExperiment } from '@pulse/storage';
import { XS_INFRASTRUCTURE } from '../app/tokens';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';
import { ChangeRelay } from './change-relay.service';

// draft → running → stopped; a stopped experiment stays stopped (its results are final), a draft may be dropped.
const TRANSITIONS: Readonly<Record<ExperimentStatus, readonly ExperimentStatus[]>> = {
  draft: ['draft', 'running', 'stopped'],
  running: ['running', 'stopped'],
  stopped: ['stopped'],
};

/**
 * The experiments' definitions: each write is validated (fields, known metrics, the layer's namespace
 * ranges against every other experiment, the status transition) under the store's lock, stored as
 * the next version and announced on experiments.changes.v1.
 */
@Injectable()
export class ExperimentCatalog {
  constructor(
    @Inject(XS_INFRASTRUCTURE) private readonly infra: ExperimentInfrastructure,
    private readonly relay: ChangeRelay,
  ) {}

  list(): Promise<StoredExperiment[]> {
    return this.infra.experiments.list();
  }

  get(key: string): Promise<StoredExperiment> {
    return this.infra.experiments.get(key);
  }

  versions(key: string) {
    return this.infra.experiments.versions(key);
  }

  async create(body: unknown, actor: string): Promise<StoredExperiment> {
    const def = asDefinition(body);
    if (typeof def.key !== 'string') throw new ValidationError('key must be a non-empty string', { field: 'key' });
    const stored = await this.infra.experiments.create(
      def.key,
      (_current, others) => this.validated({ ...def, status: def.status ?? 'draft' }, null, others),
      { actor },
    );
    this.relay.wake();
    return stored;
  }

  /** Replaces the definition (the whole document, as GrowthBook's API takes it). */
  async replace(key: string, body: unknown, actor: string, expectedVersion?: number): Promise<StoredExperiment> {
    const def = asDefinition(body);
    if (def.key !== undefined && def.key !== key)
      throw new ValidationError(`key ${JSON.stringify(def.key)} does not match the path's ${JSON.stringify(key)}`, {
        field: 'key',
      });
    const stored = await this.infra.experiments.update(
      key,
      (current, others) =>
        this.validated({ ...def, key, status: def.status ?? (current!.status as ExperimentStatus) }, current, others),
      { actor, ...(expectedVersion === undefined ? {} : { expectedVersion }) },
    );
    this.relay.wake();
    return stored;
  }

  async setStatus(
    key: string,
    status: ExperimentStatus,
    actor: string,
    expectedVersion?: number,
  ): Promise<StoredExperiment> {
    // Starting a running experiment (or stopping a stopped one) changes nothing: no new version.
    const current = await this.infra.experiments.get(key);
    if (current.status === status && (expectedVersion === undefined || expectedVersion === current.version))
      return current;
    const stored = await this.infra.experiments.update(
      key,
      (current, others) =>
        this.validated({ ...(current!.definition as unknown as ExperimentDefinition), status }, current, others),
      { actor, ...(expectedVersion === undefined ? {} : { expectedVersion }) },
    );
    this.relay.wake();
    return stored;
  }

  /** Checks a definition as it would be stored; returns the JSON to store (without the version, which the store sets). */
  private validated(
    def: ExperimentDefinition,
    current: StoredExperiment | null,
    others: readonly StoredExperiment[],
  ): Record<string, unknown> {
    const { version: _ignored, ...rest } = def as ExperimentDefinition & { version?: number };
    const experiment = defineExperiment(
      { ...rest, version: (current?.version ?? 0) + 1 },
      { metrics: LEARNING_METRICS.keys() },
    );
    if (current !== null) {
      const from = current.status as ExperimentStatus;
      if (!TRANSITIONS[from]?.includes(experiment.status))
        throw new ValidationError(`status cannot go from ${from} to ${experiment.status}`, { field: 'status' });
    }
    const layer: Experiment[] = [experiment];
    for (const other of others) {
      try {
        layer.push(defineExperiment(other.definition as unknown as ExperimentDefinition));
      } catch {
        // A stored definition this version of the service no longer accepts holds no range it could check.
      }
    }
    validateLayer(layer);
    return rest as Record<string, unknown>;
  }
}

function asDefinition(body: unknown): ExperimentDefinition {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('the body must be a JSON object (an experiment definition)', { field: 'body' });
  const nul = nulPath(body, '');
  // Postgres' jsonb cannot hold U+0000: refused here, naming where, rather than failing the insert.
  if (nul !== null)
    throw new ValidationError(`${nul || 'body'} holds a NUL character (U+0000)`, { field: nul || 'body' });
  return body as ExperimentDefinition;
}

/** The path of the first key or string holding U+0000, or null. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, v] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulPath(v, at);
    if (found !== null) return found;
  }
  return null;
}
