// Optional CPU profile of one phase (the inspector's sampling profiler, this thread only), saved as
// a .cpuprofile (open in Chrome DevTools) and summarised as self and inclusive time per function.
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
  startTime: number;
  endTime: number;
}

export interface FunctionTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly idleMs: number;
  readonly self: FunctionTime[];
  readonly inclusive: FunctionTime[];
  /** Self time by area: the service's own code by library, and each node_modules package. */
  readonly byArea: FunctionTime[];
}

export class PhaseProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.session.post('Profiler.start');
  }

  async stop(file: string, top = 25): Promise<ProfileSummary> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: Profile };
    this.session.disconnect();
    fs.writeFileSync(file, JSON.stringify(profile));
    return summarizeProfile(profile, file, top);
  }
}

/** A script's path as profiles print it: from the package inside node_modules, or from dist/. */
export function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  if (file.includes('/node_modules/')) return file.slice(file.lastIndexOf('/node_modules/') + 14);
  return file.includes('/dist/') ? file.slice(file.indexOf('/dist/') + 6) : file;
}

/** `function path:line`, the name profiles print for a frame. */
export function frameLabel(frame: { functionName: string; url: string; lineNumber: number }): string {
  const short = shortUrl(frame.url);
  return `${frame.functionName || '(anonymous)'} ${short ? `${short}:${frame.lineNumber + 1}` : ''}`.trim();
}

function area(frame: ProfileNode['callFrame']): string {
  const url = frame.url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return `npm:${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const dist = /\/dist\/(libs|apps)\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (dist) return `${dist[1]}/${dist[2]}${dist[3] && !dist[3].endsWith('.js') ? `/${dist[3]}` : ''}`;
  if (url.startsWith('node:')) return 'node core';
  if (frame.functionName === '(garbage collector)') return '(gc)';
  if (frame.functionName === '(idle)' || frame.functionName === '(program)') return frame.functionName;
  return url ? 'other' : `native ${frame.functionName || '(anonymous)'}`;
}

export function summarizeProfile(profile: Profile, file: string, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id)!;
    totalUs += dt;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += dt;
      return;
    }
    const selfName = frameLabel(node.callFrame);
    self.set(selfName, (self.get(selfName) ?? 0) + dt);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = frameLabel(byId.get(cur)!.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
  const busy = totalUs - idleUs;
  const list = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([name]) => name !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    self: list(self, top),
    inclusive: list(inclusive, top * 2),
    byArea: list(areas, 30),
  };
}

/** Prints a summary under a heading: what was profiled. */
export function printProfile(what: string, p: ProfileSummary): void {
  console.log(`\nCPU profile of ${what}: ${p.file}`);
  console.log(`  sampled ${ms0(p.totalMs)} ms, idle ${ms0(p.idleMs)} ms; shares below are of busy time`);
  console.log('  self time by area:');
  for (const a of p.byArea)
    console.log(`    ${(a.share * 100).toFixed(1).padStart(5)} %  ${ms0(a.ms).padStart(7)} ms  ${a.name}`);
  console.log('  self time by function:');
  for (const f of p.self)
    console.log(`    ${(f.share * 100).toFixed(1).padStart(5)} %  ${ms0(f.ms).padStart(7)} ms  ${f.name}`);
  console.log('  inclusive time by function (synchronous stacks; async continuations count where they resume):');
  for (const f of p.inclusive)
    console.log(`    ${(f.share * 100).toFixed(1).padStart(5)} %  ${ms0(f.ms).padStart(7)} ms  ${f.name}`);
}

const ms0 = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
