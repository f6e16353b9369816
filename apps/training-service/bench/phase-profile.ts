/**
 * `--profile`: a CPU profile of one phase (the inspector's sampling profiler, main thread only), saved
 * as a .cpuprofile (Chrome DevTools opens it) and summarised as self time per function and per area
 * (each lib of dist/libs, each node_modules package, Node's internals, GC, idle).
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface PhaseProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly functions: ProfileLine[];
  /** Time with the function anywhere on the stack (project code only: what a call costs with its callees). */
  readonly inclusive: ProfileLine[];
  readonly areas: ProfileLine[];
}

export class PhaseProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.session.post('Profiler.start');
  }

  async stop(file: string, top = 20): Promise<PhaseProfileSummary> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: Profile };
    this.session.disconnect();
    fs.writeFileSync(file, JSON.stringify(profile));
    return summarize(profile, file, top);
  }
}

function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)') return name;
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const lib = /\/dist\/(libs|apps)\/([^/]+)\/(?:([^/]+)\/)?/.exec(file);
  if (lib) return `${lib[1]}/${lib[2]}${lib[3] && !lib[3].endsWith('.js') ? `/${lib[3]}` : ''}`;
  return file.startsWith('node:') || file === '' ? 'node internals' : file;
}

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  if (file.includes('/node_modules/')) return file.slice(file.lastIndexOf('/node_modules/') + 14);
  return file.includes('/dist/') ? file.slice(file.indexOf('/dist/') + 6) : file;
}

function summarize(profile: Profile, file: string, top: number): PhaseProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    totalUs += dt;
  });
  const keyOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    return url ? `${name} ${shortUrl(url)}:${lineNumber + 1}` : name;
  };
  const fns = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    const key = keyOf(id);
    fns.set(key, (fns.get(key) ?? 0) + us);
    const area = areaOf(url, functionName || '(anonymous)');
    areas.set(area, (areas.get(area) ?? 0) + us);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      if (byId.get(at)!.callFrame.url.includes('/dist/')) onStack.add(keyOf(at));
    for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
  const lines = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return {
    file,
    totalMs: totalUs / 1000,
    functions: lines(fns, top),
    inclusive: lines(inclusive, top),
    areas: lines(areas, 12),
  };
}

export function printProfile(title: string, s: PhaseProfileSummary): void {
  console.log(`\nCPU profile of ${title} (${(s.totalMs / 1000).toFixed(1)} s sampled; ${s.file})`);
  console.log('  self time by area:');
  for (const a of s.areas) console.log(`    ${(100 * a.share).toFixed(1).padStart(5)} %  ${a.name}`);
  console.log('  self time by function:');
  for (const f of s.functions) console.log(`    ${(100 * f.share).toFixed(1).padStart(5)} %  ${f.name}`);
  console.log("  inclusive time (with callees) of the project's functions:");
  for (const f of s.inclusive) console.log(`    ${(100 * f.share).toFixed(1).padStart(5)} %  ${f.name}`);
}
