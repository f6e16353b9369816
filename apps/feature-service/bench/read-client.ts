// The read benchmark's HTTP client, in its own process (forked by ingest.bench.ts): a real client is
// another process, and one sharing the server's thread would put its reading, parsing and garbage
// inside the server-side times (the server's 'finish' waits for the client to drain the socket, and a
// GC pause is the whole thread's). The parent times the server side (ServerTimer); this process times
// the client round trips and checks the answers.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pick, request } from './latency';

export interface ReadPhase {
  readonly kind: 'single' | 'batch';
  /** Requests made; the first `warmup` of them are not reported. */
  readonly requests: number;
  readonly warmup: number;
  /** Entities per batch request. */
  readonly batchSize: number;
}

export interface PhaseResult {
  /** Client round trips (ms) of the reported requests. */
  readonly client: number[];
  /** Answers (single) or entities (batch) that took the offline path. */
  readonly offline: number;
  readonly errors: number;
  readonly bytes: number;
}

type ToClient =
  | { readonly type: 'init'; readonly port: number; readonly entities: readonly string[] }
  | { readonly type: 'phase'; readonly phase: ReadPhase };
type FromClient =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly result: PhaseResult }
  | { readonly type: 'error'; readonly message: string };

/** The parent's handle on the client process. */
export class ReadClient {
  private constructor(private readonly child: ChildProcess) {}

  /** Forks this file (as compiled next to the caller) and hands it the port and the entity ids. */
  static async start(port: number, entities: readonly string[], onPid: (pid: number) => void): Promise<ReadClient> {
    const file = path.join(__dirname, 'read-client.js');
    if (!fs.existsSync(file)) throw new Error(`${file} not found: the read client runs from dist (tools/build.mjs)`);
    const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    if (child.pid !== undefined) onPid(child.pid);
    const client = new ReadClient(child);
    await client.exchange({ type: 'init', port, entities }, 'ready');
    return client;
  }

  async run(phase: ReadPhase): Promise<PhaseResult> {
    const reply = await this.exchange({ type: 'phase', phase }, 'result');
    return (reply as Extract<FromClient, { type: 'result' }>).result;
  }

  /** Disconnects (the child exits when its IPC channel closes) and waits for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    await exited;
  }

  private exchange(message: ToClient, expected: FromClient['type']): Promise<FromClient> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromClient) => {
        cleanup();
        if (m.type === 'error') reject(new Error(`read client: ${m.message}`));
        else if (m.type !== expected) reject(new Error(`read client answered ${m.type}, expected ${expected}`));
        else resolve(m);
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        reject(new Error(`read client exited (${signal ?? `code ${code}`}) before answering ${message.type}`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
      this.child.send(message);
    });
  }
}

// Answers are checked in full once per kind (shape, one result per entity id asked, in order); after
// that by counting the online paths in the text, so the client stays cheap next to the server.
function checkShape(kind: ReadPhase['kind'], body: string, ids: readonly string[]): void {
  const parsed = JSON.parse(body) as {
    entityId?: string;
    path?: string;
    results?: { entityId?: string; path?: string }[];
  };
  const results = kind === 'single' ? [parsed] : parsed.results;
  if (
    !Array.isArray(results) ||
    results.length !== ids.length ||
    results.some((r, i) => r.entityId !== ids[i] || r.path === undefined)
  ) {
    throw new Error(
      `${kind} feature response does not have the expected shape ({entityId, path}${kind === 'batch' ? ' per entity id asked, in order, under results' : ''})`,
    );
  }
}

const onlineCount = (body: string) => body.split('"path":"online"').length - 1;

async function runPhase(
  agent: http.Agent,
  port: number,
  entities: readonly string[],
  phase: ReadPhase,
): Promise<PhaseResult> {
  const client: number[] = [];
  let offline = 0;
  let errors = 0;
  let bytes = 0;
  for (let i = 0; i < phase.warmup + phase.requests; i++) {
    const ids =
      phase.kind === 'single'
        ? [entities[Math.floor(Math.random() * entities.length)]]
        : pick(entities, phase.batchSize);
    const r =
      phase.kind === 'single'
        ? await request(agent, port, 'GET', `/v1/features/${encodeURIComponent(ids[0])}`)
        : await request(agent, port, 'POST', '/v1/features/batch', { entityIds: ids });
    if (i === 0) {
      if (r.status !== 200) throw new Error(`${phase.kind} read answered HTTP ${r.status}: ${r.body.slice(0, 300)}`);
      checkShape(phase.kind, r.body, ids);
    }
    if (i < phase.warmup) continue;
    client.push(r.ms);
    if (r.status !== 200) errors++;
    else offline += ids.length - onlineCount(r.body);
    bytes += r.body.length;
  }
  return { client, offline, errors, bytes };
}

function serve(): void {
  const send = (m: FromClient) => process.send!(m);
  let port = 0;
  let entities: readonly string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  process.on('disconnect', () => {
    agent.destroy();
    process.exit(0);
  });
  process.on('message', (m: ToClient) => {
    if (m.type === 'init') {
      port = m.port;
      entities = m.entities;
      send({ type: 'ready' });
      return;
    }
    runPhase(agent, port, entities, m.phase).then(
      (result) => send({ type: 'result', result }),
      (error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
}

if (require.main === module) serve();
