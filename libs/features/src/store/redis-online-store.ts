import { ConnectionError, PulseError } from '@pulse/core';
import Redis from 'ioredis';
import { checkTtl, decodeStoredState, DEFAULT_STATE_TTL_SECONDS, encodeStoredState, STATE_FORMAT, StateVersionConflictError, type OnlineStore, type StateUpdate, type StoredState } from './online-store';
import { VersionWatch } from './version-watch';

export interface RedisOnlineStoreOptions {
  /** A client the caller owns (not closed by close()), or `url` to let the store own one. */
  readonly redis?: Redis;
  readonly url?: string;
  /** Prefix of every key; default `pulse:features:state:`. */
  readonly keyPrefix?: string;
  /** Seconds a state lives after its last write; 0 = forever. Default 90 days. */
  readonly ttlSeconds?: number;
  /**
   * Keep a local copy of the states' versions from the messages every write publishes (VersionWatch),
   * so getVersions answers known entities without a round trip. Default false.
   */
  readonly watchVersions?: boolean;
  /** Bound on that copy (entities); default 1,000,000. */
  readonly watchedVersions?: number;
}

// All-or-nothing compare-and-set over the batch: the versions are checked first (reading only the
// `<version>|<format>` head of each value; a value in another format counts as absent, version 0, as
// it does for reads), then every state is written; a script runs atomically in Redis.
// KEYS: state keys. ARGV[1]: TTL in ms (0 = none); then per key: expected version, new value; then
// the channel and the message announcing the new versions (VersionWatch), published once all is written.
const CAS_PUT = `
local ttl = tonumber(ARGV[1])
local conflicts = {}
for i, key in ipairs(KEYS) do
  local head = redis.call('GETRANGE', key, 0, 24)
  local current = 0
  if head ~= '' then
    local version, format = string.match(head, '^(%d+)|(.)')
    if version == nil then current = -1 elseif format == '\\${STATE_FORMAT}' then current = tonumber(version) end
  end
  if current ~= tonumber(ARGV[2 * i]) then conflicts[#conflicts + 1] = i end
end
if #conflicts > 0 then return conflicts end
for i, key in ipairs(KEYS) do
  if ttl > 0 then
    redis.call('SET', key, ARGV[2 * i + 1], 'PX', ttl)
  else
    redis.call('SET', key, ARGV[2 * i + 1])
  end
end
redis.call('PUBLISH', ARGV[#ARGV - 1], ARGV[#ARGV])
return {}
`;

// The stored version of each entity, read as CAS_PUT reads it: 0 = absent or another format, -1 =
// corrupt. ARGV[1]: the key prefix, ARGV[2]: the entity ids concatenated, ARGV[3]: their byte lengths,
// comma-separated; the versions come back as one comma-separated string. Two arguments and one reply instead of a key argument and an integer
// reply per entity: for 1000 entities that halves the client's part of the call, most of its cost.
// (The keys are not declared, which only Redis Cluster minds — and the CAS needs one node anyway.)
const VERSIONS = `
local out = {}
local prefix = ARGV[1]
local ids = ARGV[2]
local at = 1
local i = 0
for len in string.gmatch(ARGV[3], '%d+') do
  i = i + 1
  local id = string.sub(ids, at, at + tonumber(len) - 1)
  at = at + tonumber(len)
  local head = redis.call('GETRANGE', prefix .. id, 0, 24)
  local current = '0'
  if head ~= '' then
    local version, format = string.match(head, '^(%d+)|(.)')
    if version == nil then current = '-1' elseif format == '\\${STATE_FORMAT}' then current = tonumber(version) >= 1 and version or '-1' end
  end
  out[i] = current
end
return table.concat(out, ',')
`;

type CasRedis = Redis & {
  pulseStateCas(...args: (string | number | Buffer)[]): Promise<number[]>;
  pulseStateVersions(prefix: string, ids: string, lengths: string): Promise<string>;
};

/**
 * Entity states in Redis: one string key per entity, read with one MGET per batch and written with one
 * compare-and-set script per batch. (Cluster mode would need the batch's keys in one slot.)
 */
export class RedisOnlineStore implements OnlineStore {
  private readonly redis: CasRedis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly channel: string;
  private readonly watch: VersionWatch | undefined;

  constructor(options: RedisOnlineStoreOptions) {
    const ttl = options.ttlSeconds ?? DEFAULT_STATE_TTL_SECONDS;
    checkTtl(ttl);
    if (!options.redis && !options.url) throw new RangeError('RedisOnlineStore needs a redis client or a url');
    this.owned = !options.redis;
    const redis = options.redis ?? new Redis(options.url as string, { maxRetriesPerRequest: 3 });
    if (!('pulseStateCas' in redis)) redis.defineCommand('pulseStateCas', { lua: CAS_PUT });
    if (!('pulseStateVersions' in redis)) redis.defineCommand('pulseStateVersions', { lua: VERSIONS, numberOfKeys: 0 });
    this.redis = redis as CasRedis;
    this.prefix = options.keyPrefix ?? 'pulse:features:state:';
    this.ttlMs = ttl * 1000;
    this.channel = `${this.prefix}versions`;
    if (options.watchVersions) {
      this.watch = new VersionWatch(redis.duplicate({ connectionName: 'pulse-version-watch' }), this.channel, this.ttlMs, options.watchedVersions);
      // until it is live, getVersions asks Redis
      void this.watch.start();
    }
  }

  async getStates(entityIds: readonly string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    if (entityIds.length === 0) return out;
    const values = await this.call('read entity states', () => this.redis.mgetBuffer(entityIds.map((id) => this.prefix + id)));
    for (let i = 0; i < entityIds.length; i++) {
      const v = values[i];
      const stored = v === null ? undefined : decodeStoredState(entityIds[i], v);
      if (stored !== undefined) out.set(entityIds[i], stored);
    }
    return out;
  }

  async getVersions(entityIds: readonly string[]): Promise<Map<string, number>> {
    const watch = this.watch;
    if (watch === undefined || !watch.isLive) return this.fetchVersions(entityIds);
    const out = new Map<string, number>();
    let unknown: string[] | undefined;
    const now = Date.now();
    for (const id of entityIds) {
      const v = watch.version(id, now);
      if (v === undefined) (unknown ??= []).push(id);
      else if (v > 0) out.set(id, v);
    }
    if (unknown !== undefined) {
      const fetched = await this.fetchVersions(unknown);
      for (const id of unknown) {
        const v = fetched.get(id);
        if (v !== undefined) out.set(id, v);
        // corrupt states (NaN) are not remembered: every read reports them
        if (v === undefined || !Number.isNaN(v)) watch.fill(id, v ?? 0);
      }
    }
    return out;
  }

  /** Whether getVersions answers from the local copy of the versions (watchVersions, subscribed). */
  get watchingVersions(): boolean {
    return this.watch?.isLive ?? false;
  }

  private async fetchVersions(entityIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (entityIds.length === 0) return out;
    const lengths = new Array<number>(entityIds.length);
    for (let i = 0; i < entityIds.length; i++) lengths[i] = Buffer.byteLength(entityIds[i]);
    const reply = await this.call('read entity state versions', () => this.redis.pulseStateVersions(this.prefix, entityIds.join(''), lengths.join(',')));
    const versions = reply.split(',');
    for (let i = 0; i < entityIds.length; i++) {
      const v = Number(versions[i]);
      if (v !== 0) out.set(entityIds[i], v > 0 ? v : NaN);
    }
    return out;
  }

  async putStates(updates: ReadonlyMap<string, StateUpdate>): Promise<void> {
    if (updates.size === 0) return;
    const ids = [...updates.keys()];
    const args: (string | number | Buffer)[] = [ids.length];
    for (const id of ids) args.push(this.prefix + id);
    args.push(this.ttlMs);
    const announced: [string, number][] = [];
    for (const [id, u] of updates) {
      args.push(u.expectedVersion, encodeStoredState(u.state, u.expectedVersion + 1));
      announced.push([id, u.expectedVersion + 1]);
    }
    args.push(this.channel, JSON.stringify(announced));
    const conflicts = await this.call('write entity states', () => this.redis.pulseStateCas(...args));
    if (conflicts.length > 0) {
      const conflicting = conflicts.map((i) => ids[i - 1]);
      for (const id of conflicting) this.watch?.forget(id);
      throw new StateVersionConflictError(conflicting);
    }
    if (this.watch !== undefined) for (const [id, v] of announced) this.watch.note(id, v);
  }

  async deleteStates(entityIds: readonly string[]): Promise<void> {
    if (entityIds.length === 0) return;
    const announce = JSON.stringify(entityIds.map((id) => [id, 0]));
    await this.call('delete entity states', () =>
      this.redis
        .multi()
        .del(...entityIds.map((id) => this.prefix + id))
        .publish(this.channel, announce)
        .exec()
        .then((replies) => {
          const failed = replies?.find(([err]) => err !== null);
          if (failed) throw failed[0];
        }),
    );
    if (this.watch !== undefined) for (const id of entityIds) this.watch.note(id, 0);
  }

  /** Milliseconds until the entity's state expires (-1 without expiry), or undefined without state. */
  async ttlRemainingMs(entityId: string): Promise<number | undefined> {
    const ms = await this.call('read a TTL', () => this.redis.pttl(this.prefix + entityId));
    return ms === -2 ? undefined : ms;
  }

  async close(): Promise<void> {
    await this.watch?.close();
    if (this.owned) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof PulseError) throw err;
      throw new ConnectionError(`Redis: could not ${what}: ${(err as Error).message}`, { cause: err });
    }
  }
}
