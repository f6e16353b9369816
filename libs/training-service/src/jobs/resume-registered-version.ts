import { AliasConflictError, type ModelRegistryRepository, type ModelVersionRecord } from '@pulse/storage';
import { qualityGatesPassed } from '@pulse/training';
import { CHALLENGER, CHAMPION } from '@pulse/training-jobs';
import type { JobRunSummary } from './worker-protocol';

/**
 * A job run again after a crash whose first run had registered its version already: the job finishes
 * with that version instead of training a second one. If the crash came between the registration and
 * the alias move, the move is made now from the verdicts stored with the version: champion when its
 * champion gate passed and the champion is still an older version, challenger otherwise.
 */
export async function resumeRegisteredVersion(
  registry: ModelRegistryRepository,
  version: ModelVersionRecord,
  actor: string,
): Promise<JobRunSummary> {
  const { model } = version;
  const quality = qualityGatesPassed(version.gates);
  let alias: string | null = null;
  let aliasChanged = false;
  if (quality) {
    const moves = (await registry.aliasHistory(model)).filter((m) => m.toVersion === version.version);
    if (moves.length > 0) alias = moves[0].alias;
    else {
      const champion = await registry.resolveAlias(model, CHAMPION);
      const promote =
        version.gates.find((g) => g.name === 'champion')?.passed === true &&
        (champion === null || champion < version.version);
      alias = promote ? CHAMPION : CHALLENGER;
      const move = (target: string, expectedVersion?: number | null) =>
        registry.moveAlias({
          model,
          alias: target,
          version: version.version,
          actor,
          reason: `v${version.version} ${target === CHAMPION ? 'promoted' : 'awaits review'} (its job resumed after an interruption)`,
          ...(expectedVersion === undefined ? {} : { expectedVersion }),
        });
      try {
        aliasChanged = (await move(alias, promote ? champion : undefined)).changed;
      } catch (err) {
        if (!(err instanceof AliasConflictError)) throw err;
        alias = CHALLENGER;
        aliasChanged = (await move(CHALLENGER)).changed;
      }
    }
  }
  const lineage = version.lineage as { rows?: Partial<JobRunSummary['rows']>; viewVersions?: Record<string, number> };
  return {
    version: version.version,
    alias,
    aliasChanged,
    qualityGatesPassed: quality,
    metrics: version.metrics,
    gates: version.gates,
    rows: { train: lineage.rows?.train ?? 0, validation: lineage.rows?.validation ?? 0, test: lineage.rows?.test ?? 0 },
    contentSha256: version.contentSha256,
    featureViewVersions: lineage.viewVersions ?? {},
    resumed: true,
  };
}
