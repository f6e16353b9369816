// Runs the shell and Python snippets of docs/client.md against the mock cluster, as written: only the
// topic and group names are swapped for this run's own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { partitionForKey } from '@pulse/bus';
import {
  decodeEngagementEvent,
  encodePrediction,
  LEARNING_ENGAGEMENT_CATALOG,
  predictionId,
  type PredictionMessage,
} from '@pulse/contracts';
import { kafkaTestBrokers, randomName, waitFor } from '@pulse/testing';
import { EVENT_ID_NAMESPACE } from '../producer/event-id';
import { produceRaw, readRaw } from '../testing/raw-topic';

const DOC = path.resolve(__dirname, '../../../../docs/client.md');
const MOCK_PARTITIONS = 4;
const EVENTS_TOPIC = 'engagement.events.v1';
const PREDICTIONS_TOPIC = 'predictions.lesson_completion.v1';

function snippet(name: string): string {
  const doc = fs.readFileSync(DOC, 'utf8');
  const match = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!match) throw new Error(`docs/client.md has no snippet "${name}"`);
  return match[1];
}

/** The snippet with `from` (which it must contain) replaced by `to`. */
function swap(code: string, from: string, to: string): string {
  if (!code.includes(from)) throw new Error(`the snippet no longer mentions ${from}:\n${code}`);
  return code.split(from).join(to);
}

/** This process's environment without KAFKA_* (the snippets get only what a test gives them). */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KAFKA_')));
  return { ...clean, PYTHONUNBUFFERED: '1', ...extra };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
});

/** Starts a long-running snippet and collects its stdout; killed after the test. */
function start(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (out.stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString('utf8')));
  return out;
}

function run(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(`${command} exited with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function prediction(trigger: string, extra: Partial<PredictionMessage> = {}): PredictionMessage {
  return {
    predictionId: predictionId('lesson_completion', trigger, 'champion'),
    model: 'lesson_completion',
    modelVersion: 1,
    alias: 'champion',
    variant: 'champion',
    shadow: false,
    entityId: 'learner-42',
    triggerEventId: trigger,
    asOfMs: Date.UTC(2024, 4, 1, 12),
    predictedAtMs: Date.UTC(2024, 4, 1, 12, 0, 1),
    score: 0.18,
    label: 'false',
    classProbabilities: { true: 0.18, false: 0.82 },
    riskTier: 'high',
    riskConfidence: 0.82,
    topFactors: [{ feature: 'learner_behaviour.lesson_completion_rate', value: 0.05, contribution: -0.9 }],
    inputs: [
      { name: 'learner_behaviour.lesson_completion_rate', value: 0.05, stalenessMs: 7_200_000 },
      { name: 'temporal.hours_since_last_event', value: NaN, stalenessMs: null },
    ],
    fallback: false,
    latencyMs: 2.5,
    ...extra,
  };
}

const record = (p: PredictionMessage, format: 'json' | 'proto') => {
  const encoded = encodePrediction(p, format);
  return { key: p.entityId, value: encoded.value, headers: { 'content-type': encoded.contentType } };
};

/** Reads back the one event a snippet produced and checks it as the platform's ingest would. */
async function expectOneValidEvent(topic: string, expected: Record<string, unknown>): Promise<void> {
  const [rec, ...rest] = await readRaw(topic, 1);
  expect(rest).toEqual([]);
  expect(rec.key).toBe('learner-42');
  expect(rec.headers['content-type']).toBe('application/json');
  // the partition the platform's own (murmur2) producers put learner-42 in
  expect(rec.partition).toBe(partitionForKey('learner-42', MOCK_PARTITIONS));
  const decoded = decodeEngagementEvent(rec.value, rec.headers['content-type'], LEARNING_ENGAGEMENT_CATALOG);
  if (!decoded.ok) throw new Error(`the platform refuses the snippet's event: ${decoded.rejection.message}`);
  expect(decoded.event).toMatchObject(expected);
}

describe('docs/client.md: TypeScript', () => {
  it('the @pulse/client example compiles', () => {
    const root = path.resolve(__dirname, '../../../..');
    const { config } = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), (f) => ts.sys.readFile(f));
    const options = { ...ts.parseJsonConfigFileContent(config, ts.sys, root).options, noEmit: true };
    // Its statements run in an async function (top-level await is not CommonJS); its imports stay on top.
    const lines = snippet('ts-client').split('\n');
    const imports = lines.filter((l) => l.startsWith('import '));
    const body = lines.filter((l) => !l.startsWith('import '));
    const code = `${imports.join('\n')}\nexport async function example(): Promise<void> {\n${body.join('\n')}\n}\n`;
    const file = path.join(root, 'libs/client/src/docs/client-docs.example.ts');
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) =>
      name === file ? ts.createSourceFile(name, code, language) : read(name, language, ...rest);
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => name === file || exists(name);
    const program = ts.createProgram([file], options, host);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(program.getSourceFile(file)),
      ...program.getSemanticDiagnostics(program.getSourceFile(file)),
    ].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('gives the namespace of event ids made from idempotency keys', () => {
    expect(fs.readFileSync(DOC, 'utf8')).toContain(`uuid.uuid5(uuid.UUID("${EVENT_ID_NAMESPACE}"), key)`);
  });
});

describe('docs/client.md: kcat', () => {
  it('produces a JSON engagement event keyed by entity that the platform accepts', async () => {
    const topic = randomName('docs-kcat-events');
    run('bash', ['-euo', 'pipefail', '-c', swap(snippet('kcat-produce'), EVENTS_TOPIC, topic)], {
      env: env({ KAFKA_BROKERS: kafkaTestBrokers().join(',') }),
    });
    await expectOneValidEvent(topic, {
      eventId: 'lms-completion-9f2c1',
      entityId: 'learner-42',
      eventType: 'lesson_completed',
      eventTimeMs: Date.UTC(2024, 4, 1, 12),
      channel: 'slack',
      contentId: 'lesson-7',
    });
  });

  it('prints JSON predictions with their key and content type', async () => {
    const topic = randomName('docs-kcat-predictions');
    const p = prediction('evt-kcat-1');
    await produceRaw(topic, [record(p, 'json')]);
    const out = start('bash', ['-c', `exec ${swap(snippet('kcat-consume'), PREDICTIONS_TOPIC, topic)}`], {
      env: env({ KAFKA_BROKERS: kafkaTestBrokers().join(',') }),
    });
    await waitFor(() => out.stdout.includes(p.predictionId) && out.stdout.endsWith('\n'), {
      timeoutMs: 20_000,
      message: `kcat printing the prediction (stderr: ${out.stderr})`,
    });
    const [header, value] = out.stdout.split('\n');
    expect(header).toBe('learner-42 content-type=application/json');
    expect(JSON.parse(value)).toMatchObject({ predictionId: p.predictionId, entityId: 'learner-42', riskTier: 'high' });
  });
});

/** A python3 that can import confluent_kafka (the one on PATH, else Debian's), or undefined. */
function pythonWithConfluentKafka(): string | undefined {
  return ['python3', '/usr/bin/python3'].find(
    (python) => spawnSync(python, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0,
  );
}

const python = pythonWithConfluentKafka();
const describePython = python === undefined ? describe.skip : describe;
const pythonTitle =
  python === undefined
    ? 'docs/client.md: Python (SKIPPED: no python3 can import confluent_kafka; apt-get install python3-confluent-kafka)'
    : `docs/client.md: Python (${python})`;

describePython(pythonTitle, () => {
  const py = python!;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-client-docs-'));
    fs.writeFileSync(path.join(dir, 'pulse_kafka.py'), snippet('python-config'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const configFor = (vars: Record<string, string>) =>
    JSON.parse(
      run(py, ['-c', 'import json; from pulse_kafka import kafka_config; print(json.dumps(kafka_config()))'], {
        cwd: dir,
        env: env(vars),
      }),
    ) as Record<string, unknown>;

  it('maps the platform variables onto librdkafka settings that confluent-kafka takes', () => {
    expect(configFor({ KAFKA_BROKERS: 'k:9092' })).toEqual({
      'bootstrap.servers': 'k:9092',
      'client.id': 'pulse-client',
      'security.protocol': 'PLAINTEXT',
    });
    // A real certificate and key, so librdkafka loads them when the producer is made.
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    run(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { env: env({}) },
    );
    const secure = {
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_CLIENT_ID: 'lms',
      KAFKA_SSL_CA_FILE: cert,
      KAFKA_SSL_CERT_FILE: cert,
      KAFKA_SSL_KEY_FILE: key,
      KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'lms',
      KAFKA_SASL_PASSWORD: 'secret',
    };
    expect(configFor(secure)).toEqual({
      'bootstrap.servers': '127.0.0.1:1',
      'client.id': 'lms',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'lms',
      'sasl.password': 'secret',
      'ssl.ca.location': cert,
      'ssl.certificate.location': cert,
      'ssl.key.location': key,
      'enable.ssl.certificate.verification': false,
    });
    expect(configFor({ KAFKA_BROKERS: 'k:9092', KAFKA_SSL: 'true' })['security.protocol']).toBe('SSL');
    // librdkafka refuses unknown or malformed settings when the client is made
    const made = run(
      py,
      [
        '-c',
        'from confluent_kafka import Producer; from pulse_kafka import kafka_config; Producer(kafka_config()); print("ok")',
      ],
      { cwd: dir, env: env(secure) },
    );
    expect(made.trim()).toBe('ok');
  });

  it('produces a JSON engagement event keyed by entity that the platform accepts', async () => {
    const topic = randomName('docs-py-events');
    fs.writeFileSync(path.join(dir, 'produce.py'), swap(snippet('python-produce'), EVENTS_TOPIC, topic));
    run(py, ['produce.py'], { cwd: dir, env: env({ KAFKA_BROKERS: kafkaTestBrokers().join(',') }) });
    await expectOneValidEvent(topic, {
      entityId: 'learner-42',
      eventType: 'assessment_answered',
      channel: 'slack',
      contentId: 'lesson-7',
      attributes: { is_correct: true, time_taken_seconds: 41.5 },
    });
  });

  it('consumes JSON predictions, skipping shadow and protobuf ones', async () => {
    const topic = randomName('docs-py-predictions');
    const json = prediction('evt-py-3');
    // one key, one partition: the JSON prediction comes last, after the two that are skipped
    await produceRaw(topic, [
      record(prediction('evt-py-1'), 'proto'),
      record(prediction('evt-py-2', { shadow: true, alias: 'shadow', variant: 'shadow' }), 'json'),
      record(json, 'json'),
    ]);
    let code = swap(snippet('python-consume'), PREDICTIONS_TOPIC, topic);
    code = swap(code, '"lms-nudges"', JSON.stringify(randomName('docs-py-group')));
    fs.writeFileSync(path.join(dir, 'consume.py'), code);
    const out = start(py, ['consume.py'], { cwd: dir, env: env({ KAFKA_BROKERS: kafkaTestBrokers().join(',') }) });
    await waitFor(() => out.stdout.includes(json.predictionId), {
      timeoutMs: 40_000,
      message: `the Python consumer printing the prediction (stderr: ${out.stderr})`,
    });
    expect(out.stdout).toBe(`${json.predictionId} learner-42 high 0.18 2\n`);
  });
});
