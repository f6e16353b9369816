import { PulseError } from '@pulse/core';

/**
 * The verification steps a version passes, in order: its artifacts' digests, loading (the ONNX into
 * onnxruntime, the JSON into the tree engine), its inputs and outputs against the signature, and the
 * stored test sample's scores.
 */
export type RefusalCheck = 'sha256' | 'onnx_load' | 'signature' | 'test_sample';
export const REFUSAL_CHECKS: readonly RefusalCheck[] = ['sha256', 'onnx_load', 'signature', 'test_sample'];

/** A model version that may not serve, with the check it failed. Trying again gives the same answer. */
export class ModelRefusedError extends PulseError {
  readonly check: RefusalCheck;
  readonly model: string;
  readonly version: number;

  constructor(check: RefusalCheck, model: string, version: number, message: string, options: { cause?: unknown } = {}) {
    super(`${model} version ${version} refused (${check}): ${message}`, { retriable: false, cause: options.cause });
    this.check = check;
    this.model = model;
    this.version = version;
  }
}
