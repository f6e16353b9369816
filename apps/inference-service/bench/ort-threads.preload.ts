// Loaded into inference-service with `--require` (bench:inference --ort-threads N): every onnxruntime
// session it opens gets N intra-op threads and one inter-op thread, whatever the service asks for, to
// measure what that setting would change (the service passes no session options).
import * as ort from 'onnxruntime-node';

const threads = Number(process.env.PULSE_BENCH_ORT_THREADS);
if (Number.isInteger(threads) && threads > 0) {
  const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (
    model: Uint8Array,
    options?: ort.InferenceSession.SessionOptions,
  ) => Promise<ort.InferenceSession>;
  (ort.InferenceSession as { create: unknown }).create = (
    model: Uint8Array,
    options: ort.InferenceSession.SessionOptions = {},
  ) => create(model, { ...options, intraOpNumThreads: threads, interOpNumThreads: 1 });
}
