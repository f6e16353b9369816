import type { ServableModel } from '../loading/servable-model';

/** A hold on a served version: score with `servable`, then release() (once; further calls do nothing). */
export interface ServingLease {
  readonly model: string;
  readonly alias: string;
  readonly servable: ServableModel;
  release(): void;
}

export interface SwapResult {
  /** The version the alias served before, if any. */
  readonly previous?: ServableModel;
  /** Settles once the previous version's session is released (after its last lease), or at once. */
  readonly retired: Promise<void>;
}

/** How many holders a version has: aliases serving it and unreleased leases. */
interface Holders {
  aliases: number;
  leases: number;
  retired?: Promise<void>;
  resolveRetired?: () => void;
}

/**
 * Per model, alias → the version it serves. acquire() hands out a lease on the current version;
 * swap() replaces it at once (the next acquire gets the new one) and closes the old session once no
 * alias serves it and its last lease is released, so a swap never fails or delays a request. A
 * version may serve several aliases; it is closed when the last of them lets go.
 */
export class ServingTable {
  private readonly models = new Map<string, Map<string, ServableModel>>();
  private readonly holders = new Map<ServableModel, Holders>();

  /** A lease on the version `alias` serves, or undefined when it serves none. */
  acquire(model: string, alias: string): ServingLease | undefined {
    const servable = this.models.get(model)?.get(alias);
    if (servable === undefined) return undefined;
    const h = this.holders.get(servable)!;
    h.leases++;
    let released = false;
    return {
      model,
      alias,
      servable,
      release: () => {
        if (released) return;
        released = true;
        h.leases--;
        this.retireIfUnheld(servable, h);
      },
    };
  }

  /** Runs fn on the alias's current version under a lease; undefined when the alias serves none. */
  async withLease<T>(
    model: string,
    alias: string,
    fn: (lease: ServingLease) => Promise<T> | T,
  ): Promise<T | undefined> {
    const lease = this.acquire(model, alias);
    if (lease === undefined) return undefined;
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  }

  /** Serves `next` under the alias from now on; the previous version closes once nothing holds it. */
  swap(model: string, alias: string, next: ServableModel): SwapResult {
    if (next === null || typeof next !== 'object' || typeof next.score !== 'function')
      throw new TypeError('next must be a ServableModel');
    if (next.closed) throw new RangeError(`next (${next.model} version ${next.version}) is closed`);
    if (next.model !== model) throw new RangeError(`next is a version of "${next.model}", not of model "${model}"`);
    let aliases = this.models.get(model);
    if (aliases === undefined) this.models.set(model, (aliases = new Map()));
    const previous = aliases.get(alias);
    if (previous === next) return { previous, retired: Promise.resolve() };
    const h = this.holders.get(next) ?? { aliases: 0, leases: 0 };
    this.holders.set(next, h);
    h.aliases++;
    aliases.set(alias, next);
    return { previous, retired: previous === undefined ? Promise.resolve() : this.letGo(previous) };
  }

  /** Stops serving the alias; its version closes once nothing holds it. False when the alias served none. */
  remove(model: string, alias: string): SwapResult & { readonly removed: boolean } {
    const aliases = this.models.get(model);
    const previous = aliases?.get(alias);
    if (aliases === undefined || previous === undefined) return { removed: false, retired: Promise.resolve() };
    aliases.delete(alias);
    if (aliases.size === 0) this.models.delete(model);
    return { removed: true, previous, retired: this.letGo(previous) };
  }

  /** The version an alias serves now (no lease: for listing, not for scoring). */
  get(model: string, alias: string): ServableModel | undefined {
    return this.models.get(model)?.get(alias);
  }

  /** Alias → version of a model, in the order the aliases were first served. */
  aliases(model: string): ReadonlyMap<string, ServableModel> {
    return new Map(this.models.get(model) ?? []);
  }

  /** Models with at least one alias served. */
  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** Unreleased leases on a version (for metrics and tests). */
  leasesOf(servable: ServableModel): number {
    return this.holders.get(servable)?.leases ?? 0;
  }

  /** Removes every alias; settles when every session is closed (after in-flight leases are released). */
  async close(): Promise<void> {
    const retiring: Promise<void>[] = [];
    for (const [model, aliases] of [...this.models])
      for (const alias of [...aliases.keys()]) retiring.push(this.remove(model, alias).retired);
    await Promise.all(retiring);
  }

  private letGo(servable: ServableModel): Promise<void> {
    const h = this.holders.get(servable)!;
    h.aliases--;
    if (h.aliases > 0) return Promise.resolve();
    h.retired ??= new Promise<void>((resolve) => (h.resolveRetired = resolve));
    this.retireIfUnheld(servable, h);
    return h.retired;
  }

  private retireIfUnheld(servable: ServableModel, h: Holders): void {
    if (h.aliases > 0 || h.leases > 0 || h.resolveRetired === undefined) return;
    this.holders.delete(servable);
    const resolve = h.resolveRetired;
    h.resolveRetired = undefined;
    // a failed release leaves nothing to retry: the session is gone either way
    servable.close().then(resolve, () => resolve());
  }
}
