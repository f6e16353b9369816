import { PulseError } from '@pulse/core';

export class ExperimentNotFoundError extends PulseError {
  constructor(readonly key: string) {
    super(`no experiment ${JSON.stringify(key)}`, { retriable: false });
  }
}

export class ExperimentExistsError extends PulseError {
  constructor(readonly key: string) {
    super(`experiment ${JSON.stringify(key)} exists already`, { retriable: false });
  }
}

/** A compare-and-set write lost: the experiment is no longer at the version the caller read. */
export class ExperimentVersionConflictError extends PulseError {
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`experiment ${JSON.stringify(key)} is at version ${actualVersion}, not the expected ${expectedVersion}`, {
      retriable: false,
    });
  }
}
