import { PulseError } from '@pulse/core';

/** The training set cannot make a trustworthy model (too few rows, a missing class, a feature mostly missing…). */
export class TrainingSetError extends PulseError {
  constructor(
    message: string,
    readonly check: string,
  ) {
    super(message, { retriable: false });
  }
}

/** A feature reads events at or after the label's start: it is refused, named. */
export class LeakageError extends TrainingSetError {
  constructor(readonly features: readonly string[]) {
    super(
      `leakage: ${features.join(', ')} ${features.length === 1 ? 'is' : 'are'} computed from events at or after the label's start (the trigger time)`,
      'leakage',
    );
  }
}

/** The exported ONNX model does not reproduce the JSON model on the test sample. */
export class ArtifactMismatchError extends PulseError {
  constructor(readonly maxDifference: number) {
    super(`the ONNX artifact differs from the JSON model by ${maxDifference} (> 1e-5) on the test sample`, {
      retriable: false,
    });
  }
}
