// Optional allocation profile of one phase (V8's sampling heap profiler, this thread only), counting
// objects the young and old collections have already freed too: what makes the garbage collector
// work, by the function that allocated it. Saved as a .heapprofile (open in Chrome DevTools).
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { frameLabel, shortUrl } from './cpu-profile';

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export interface AllocationSite {
  readonly name: string;
  readonly bytes: number;
  readonly share: number;
}

export interface AllocationSummary {
  readonly file: string;
  readonly totalBytes: number;
  readonly sites: AllocationSite[];
}

export class AllocationProfiler {
  private readonly session = new Session();

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('HeapProfiler.enable');
    await this.session.post('HeapProfiler.startSampling', {
      samplingInterval: 16 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never);
  }

  async stop(file: string, top = 25): Promise<AllocationSummary> {
    const { profile } = (await this.session.post('HeapProfiler.stopSampling')) as unknown as {
      profile: { head: SamplingNode };
    };
    this.session.disconnect();
    fs.writeFileSync(file, JSON.stringify(profile));
    const bySite = new Map<string, number>();
    let total = 0;
    const walk = (node: SamplingNode, caller: string) => {
      const short = shortUrl(node.callFrame.url);
      const own = frameLabel(node.callFrame);
      // Natives and builtins (Buffer, Array.prototype.map, JSON.stringify) are named with their caller.
      const builtin = short === '' || short.startsWith('node:');
      const name = builtin ? `${own} <- ${caller}` : own;
      if (node.selfSize > 0) {
        bySite.set(name, (bySite.get(name) ?? 0) + node.selfSize);
        total += node.selfSize;
      }
      for (const c of node.children) walk(c, builtin ? caller : own);
    };
    walk(profile.head, '(root)');
    const sites = [...bySite]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytes, share: total > 0 ? bytes / total : 0 }));
    return { file, totalBytes: total, sites };
  }
}
