import { PulseError } from '@pulse/core';
import type { ArtifactKind } from './model-registry.types';
import type { TrainingJobState } from './training-job.types';

// None of these pass by retrying the same call: each names what the caller must change (or look up).

/** The model has no registered version. */
export class ModelNotFoundError extends PulseError {
  constructor(readonly model: string) {
    super(`model ${JSON.stringify(model)} has no registered version`, { retriable: false });
  }
}

export class VersionNotFoundError extends PulseError {
  constructor(
    readonly model: string,
    readonly version: number,
  ) {
    super(`model ${JSON.stringify(model)} has no version ${version}`, { retriable: false });
  }
}

/** A compare-and-set alias move lost: the alias no longer held the version the caller expected. */
export class AliasConflictError extends PulseError {
  constructor(
    readonly model: string,
    readonly alias: string,
    readonly expectedVersion: number | null,
    readonly actualVersion: number | null,
  ) {
    super(
      `alias ${JSON.stringify(alias)} of model ${JSON.stringify(model)} holds ${show(actualVersion)}, not the expected ${show(expectedVersion)}`,
      { retriable: false },
    );
  }
}

/** Stored artifact bytes no longer match the digest computed when they were registered. */
export class ArtifactIntegrityError extends PulseError {
  constructor(
    readonly model: string,
    readonly version: number,
    readonly kind: ArtifactKind,
  ) {
    super(`the ${kind} artifact of ${model} v${version} does not match its registered sha256`, { retriable: false });
  }
}

export class JobNotFoundError extends PulseError {
  constructor(readonly jobId: string) {
    super(`no training job ${JSON.stringify(jobId)}`, { retriable: false });
  }
}

/**
 * The job is not in the state the call needs (e.g. a heartbeat for a job no longer running under
 * this owner: it was recovered as interrupted). The caller has lost the job and must stop working on it.
 */
export class JobStateError extends PulseError {
  constructor(
    readonly jobId: string,
    readonly state: TrainingJobState,
    readonly owner: string | null,
    expected: string,
  ) {
    super(`training job ${jobId} is ${state}${owner === null ? '' : ` (owner ${owner})`}, expected ${expected}`, {
      retriable: false,
    });
  }
}

function show(version: number | null): string {
  return version === null ? 'no version' : `version ${version}`;
}
