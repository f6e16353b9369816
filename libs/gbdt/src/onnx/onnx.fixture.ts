/**
 * ONNX test support (specs only; not exported from the barrel): the official checker through
 * Debian's python3-onnx, and scoring with onnxruntime-node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PYTHON = '/usr/bin/python3';

/** Runs the official ONNX checker (full_check: with shape inference) on the bytes. */
export function onnxCheck(bytes: Uint8Array): void {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `the ONNX checker needs ${PYTHON} with the onnx module (Debian package python3-onnx): ${probe.stderr || probe.error}`,
    );
  }
  const file = path.join(os.tmpdir(), `pulse-onnx-${process.pid}-${Math.random().toString(36).slice(2)}.onnx`);
  fs.writeFileSync(file, bytes);
  try {
    execFileSync(
      PYTHON,
      ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', file],
      { stdio: 'pipe' },
    );
  } catch (e) {
    throw new Error(`onnx.checker rejected the model: ${(e as { stderr?: Buffer }).stderr?.toString() ?? e}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

// onnxruntime-node checks `data instanceof Float32Array` against the realm it was loaded in, and
// Jest's module sandbox is another realm than the native addon's, so scoring runs in a child Node.
const RUNNER = `
const ort = require(process.argv[1]);
const fs = require('fs');
(async () => {
  const [, , modelFile, inputFile, n, f, inputName] = process.argv;
  const buf = fs.readFileSync(inputFile);
  const rows = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const s = await ort.InferenceSession.create(fs.readFileSync(modelFile));
  const res = await s.run({ [inputName]: new ort.Tensor('float32', rows, [Number(n), Number(f)]) });
  const out = { inputNames: s.inputNames, outputNames: s.outputNames };
  for (const [k, v] of Object.entries(res)) out[k] = Array.from(v.data, Number);
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

export interface OrtOut {
  inputNames: string[];
  outputNames: string[];
  label?: number[];
  probabilities?: number[];
  variable?: number[];
}

/** Scores row-major float32 rows with onnxruntime-node (in a child process, see RUNNER). */
export function runOnnx(bytes: Uint8Array, rows: Float32Array, numFeatures: number, inputName = 'input'): OrtOut {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-ort-'));
  try {
    const modelFile = path.join(dir, 'model.onnx');
    const inputFile = path.join(dir, 'input.f32');
    fs.writeFileSync(modelFile, bytes);
    fs.writeFileSync(inputFile, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
    const args = [
      '-e',
      RUNNER,
      require.resolve('onnxruntime-node'),
      modelFile,
      inputFile,
      String(rows.length / numFeatures),
      String(numFeatures),
      inputName,
    ];
    const res = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (res.status !== 0) throw new Error(`onnxruntime-node failed: ${res.stderr}`);
    return JSON.parse(res.stdout) as OrtOut;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
