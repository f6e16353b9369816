import { Inject, Injectable } from '@nestjs/common';
import type { ModelSpec } from '@pulse/models';
import {
  ModelNotFoundError,
  type AliasMove,
  type AliasMoveResult,
  type ArtifactKind,
  type ModelArtifact,
  type ModelVersionRecord,
} from '@pulse/storage';
import { MODEL_SPECS, TS_INFRASTRUCTURE } from '../app/tokens';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingRuntime } from '../jobs/training-runtime';

export interface ModelEntry {
  readonly name: string;
  /** Null for a model with versions but no spec in this service (e.g. one since removed). */
  readonly task: string | null;
  readonly specVersion: number | null;
  readonly description: string | null;
  readonly latestVersion: number | null;
  readonly versionCount: number;
  readonly aliases: Record<string, number>;
}

export interface AliasMoveInput {
  readonly model: string;
  readonly alias: string;
  readonly version: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly expectedVersion?: number | null;
}

/**
 * The registry as the HTTP API reads it: every declared model, trained or not (a declared model
 * without versions has none, no aliases and no history rather than being unknown), and the alias
 * moves made through the API (counted, and announced on models.lifecycle.v1 at once).
 */
@Injectable()
export class ModelCatalog {
  constructor(
    @Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure,
    @Inject(MODEL_SPECS) private readonly specs: Readonly<Record<string, ModelSpec>>,
    private readonly runtime: TrainingRuntime,
  ) {}

  async models(): Promise<ModelEntry[]> {
    const registered = new Map((await this.infra.registry.listModels()).map((m) => [m.model, m]));
    const names = [...new Set([...Object.keys(this.specs), ...registered.keys()])].sort();
    return names.map((name) => {
      const spec = this.specs[name];
      const summary = registered.get(name);
      return {
        name,
        task: spec?.task ?? null,
        specVersion: spec?.version ?? null,
        description: spec?.description ?? null,
        latestVersion: summary?.latestVersion ?? null,
        versionCount: summary?.versionCount ?? 0,
        aliases: summary?.aliases ?? {},
      };
    });
  }

  /** Newest first. @throws ModelNotFoundError for a model neither declared nor registered */
  versions(model: string): Promise<ModelVersionRecord[]> {
    return this.declaredOr(model, [], () => this.infra.registry.listVersions(model));
  }

  version(model: string, version: number): Promise<ModelVersionRecord> {
    return this.infra.registry.getVersion(model, version);
  }

  report(model: string, version: number): Promise<string> {
    return this.infra.registry.getReport(model, version);
  }

  artifact(model: string, version: number, kind: ArtifactKind): Promise<ModelArtifact> {
    return this.infra.registry.getArtifact(model, version, kind);
  }

  aliases(model: string): Promise<Record<string, number>> {
    return this.declaredOr(model, {}, () => this.infra.registry.getAliases(model));
  }

  /** The names pointing at each version, by version. */
  async aliasesByVersion(model: string): Promise<Map<number, string[]>> {
    const byVersion = new Map<number, string[]>();
    for (const [alias, version] of Object.entries(await this.aliases(model)))
      byVersion.set(version, [...(byVersion.get(version) ?? []), alias]);
    return byVersion;
  }

  history(model: string, alias?: string): Promise<AliasMove[]> {
    return this.declaredOr(model, [], () => this.infra.registry.aliasHistory(model, alias));
  }

  async moveAlias(input: AliasMoveInput): Promise<AliasMoveResult> {
    const move = await this.infra.registry.moveAlias(input);
    if (move.changed) this.runtime.aliasMoved(input.model, input.alias);
    return move;
  }

  /** A declared model without versions reads as empty; an undeclared one without versions is not found. */
  private async declaredOr<T>(model: string, empty: T, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof ModelNotFoundError && Object.prototype.hasOwnProperty.call(this.specs, model)) return empty;
      throw err;
    }
  }
}
