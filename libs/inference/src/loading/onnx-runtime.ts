// Loaded on first use: importing @pulse/inference for its types or fallbacks should not load the native addon.
type Ort = typeof import('onnxruntime-node');
export type OrtSession = import('onnxruntime-node').InferenceSession;
export type OrtSessionOptions = import('onnxruntime-node').InferenceSession.SessionOptions;

let ortModule: Ort | undefined;

export function onnxRuntime(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ortModule ??= require('onnxruntime-node') as Ort;
  return ortModule;
}
