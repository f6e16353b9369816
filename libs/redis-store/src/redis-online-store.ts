import { ConnectionError, PulseError } from '@pulse/core';
import Redis from 'ioredis';
import {
  checkTtl,
  decodeStoredState,
  DEFAULT_STATE_TTL_SECONDS,
  encodeStoredStateTo,
  STATE_FORMAT,
  StateVersionConflictError,
  type OnlineStore,
  type StateUpdate,
  type StoredState,
} from '@pulse/features';
import { bulk, FramedScript } from './framed-command';
import { ByteSink, ByteSinkPool } from '@pulse/core';
import { VersionWatch } from './version-watch';

const INITIAL_PUT_BYTES = 1 << 20;

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
// ARGV[1]: TTL in ms (0 = none); ARGV[2]: the key prefix; ARGV[3]: per entity its id then its new
// value, concatenated; ARGV[4]: per entity `<id bytes>,<expected version>,<value bytes>,`; ARGV[5] and
// ARGV[6]: the channel and the message announcing the new versions (VersionWatch), published once all
// is written. Returns the (1-based) positions of the entities whose version differed, if any.
// Six arguments whatever the batch size instead of three per entity, and the command written by
// putStates itself (FramedScript): ioredis building it, per argument then copying it all into fresh
// memory, was 7 % of the ingest thread. (The keys are not declared, which only Redis Cluster minds —
// and the compare-and-set needs the batch on one node anyway.)
const CAS_PUT = `
local ttl = tonumber(ARGV[1])
local prefix = ARGV[2]
local blob = ARGV[3]
local keys = {}
local starts = {}
local ends = {}
local conflicts = {}
local at = 1
local n = 0
for idBytes, expected, valueBytes in string.gmatch(ARGV[4], '(%d+),(%d+),(%d+),') do
  n = n + 1
  local key = prefix .. string.sub(blob, at, at + tonumber(idBytes) - 1)
  at = at + tonumber(idBytes)
  keys[n] = key
  starts[n] = at
  at = at + tonumber(valueBytes)
  ends[n] = at - 1
  local head = redis.call('GETRANGE', key, 0, 24)
  local current = 0
  if head ~= '' then
    local version, format = string.match(head, '^(%d+)|(.)')
    if version == nil then current = -1 elseif format == '\\${STATE_FORMAT}' then current = tonumber(version) end
  end
  if current ~= tonumber(expected) then conflicts[#conflicts + 1] = n end
end
if at ~= #blob + 1 then return redis.error_reply('pulse state put: lengths do not match the values') end
if #conflicts > 0 then return conflicts end
for i = 1, n do
  if ttl > 0 then
    redis.call('SET', keys[i], string.sub(blob, starts[i], ends[i]), 'PX', ttl)
  else
    redis.call('SET', keys[i], string.sub(blob, starts[i], ends[i]))
  end
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {}
`;
const CAS_PUT_SCRIPT = new FramedScript(CAS_PUT, 6);

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

/** `prefix` then `bytes` as one RESP bulk string, appended to the sink. */
function writeBulk(sink: ByteSink, bytes: Uint8Array, prefix: string): void {
  const head = `${prefix}$${bytes.length}\r\n`;
  sink.ensure(head.length + bytes.length + 2);
  sink.pos += sink.buf.write(head, sink.pos, 'latin1');
  sink.append(bytes);
  sink.byte(0x0d);
  sink.byte(0x0a);
}

/** `id` as a JSON string: its UTF-8 bytes (`utf8`) quoted when they need no escape, else JSON.stringify. */
function writeJsonString(sink: ByteSink, id: string, utf8: Uint8Array): void {
  let plain = utf8.length === id.length; // ASCII only
  for (let i = 0; plain && i < utf8.length; i++) {
    const c = utf8[i];
    if (c < 0x20 || c === 0x22 || c === 0x5c) plain = false;
  }
  if (!plain) {
    sink.append(Buffer.from(JSON.stringify(id), 'utf8'));
    return;
  }
  sink.byte(0x22);
  sink.append(utf8);
  sink.byte(0x22);
}

type CasRedis = Redis & {
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
  private readonly scriptPrefix: string;
  private readonly ttlMs: number;
  private readonly channel: string;
  private readonly channelBytes: Buffer;
  private readonly watch: VersionWatch | undefined;
  /** Buffers the batches' commands are written into. */
  private readonly sinks = new ByteSinkPool(INITIAL_PUT_BYTES);
  /** A batch's lengths and announcement, while putStates builds its command (synchronously, then copied). */
  private readonly lengths = new ByteSink(64 * 1024);
  private readonly announced = new ByteSink(64 * 1024);

  constructor(options: RedisOnlineStoreOptions) {
    const ttl = options.ttlSeconds ?? DEFAULT_STATE_TTL_SECONDS;
    checkTtl(ttl);
    if (!options.redis && !options.url) throw new RangeError('RedisOnlineStore needs a redis client or a url');
    this.owned = !options.redis;
    const redis = options.redis ?? new Redis(options.url as string, { maxRetriesPerRequest: 3 });
    if (!('pulseStateVersions' in redis)) redis.defineCommand('pulseStateVersions', { lua: VERSIONS, numberOfKeys: 0 });
    this.redis = redis as CasRedis;
    this.prefix = options.keyPrefix ?? 'pulse:features:state:';
    // The scripts build the keys themselves: with the client's own key prefix, as ioredis adds it to the keys of other commands.
    this.scriptPrefix = (redis.options.keyPrefix ?? '') + this.prefix;
    this.ttlMs = ttl * 1000;
    this.channel = `${this.prefix}versions`;
    this.channelBytes = Buffer.from(this.channel);
    if (options.watchVersions) {
      this.watch = new VersionWatch(
        redis.duplicate({ connectionName: 'pulse-version-watch' }),
        this.channel,
        this.ttlMs,
        options.watchedVersions,
      );
      // until it is live, getVersions asks Redis
      void this.watch.start();
    }
  }

  async getStates(entityIds: readonly string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    if (entityIds.length === 0) return out;
    const values = await this.call('read entity states', () =>
      this.redis.mgetBuffer(entityIds.map((id) => this.prefix + id)),
    );
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
    const reply = await this.call('read entity state versions', () =>
      this.redis.pulseStateVersions(this.scriptPrefix, entityIds.join(''), lengths.join(',')),
    );
    const versions = reply.split(',');
    for (let i = 0; i < entityIds.length; i++) {
      const v = Number(versions[i]);
      if (v !== 0) out.set(entityIds[i], v > 0 ? v : NaN);
    }
    return out;
  }

  async putStates(updates: ReadonlyMap<string, StateUpdate>): Promise<void> {
    if (updates.size === 0) return;
    // The whole command is written into the sink (the values straight after the room left for the
    // arguments before them, whose lengths are known last) and sent as it is; the sink is reused
    // only once Redis has answered. The lengths and the announcement are written as bytes too.
    const sink = this.sinks.take();
    try {
      const head = CAS_PUT_SCRIPT.head + bulk(String(this.ttlMs)) + bulk(this.scriptPrefix);
      const room = Buffer.byteLength(head) + 24;
      sink.pos = 0;
      sink.ensure(room);
      sink.pos = room;
      const lengths = this.lengths;
      const announced = this.announced;
      lengths.pos = 0;
      announced.pos = 0;
      announced.byte(0x5b); // [
      const ids: string[] = [];
      for (const [id, u] of updates) {
        const idBytes = sink.writeUtf8(id);
        const start = sink.pos;
        if (u.value !== undefined) sink.append(u.value);
        else encodeStoredStateTo(sink, u.state, u.expectedVersion + 1);
        lengths.writeDecimal(idBytes);
        lengths.byte(0x2c); // ,
        lengths.writeDecimal(u.expectedVersion);
        lengths.byte(0x2c);
        lengths.writeDecimal(sink.pos - start);
        lengths.byte(0x2c);
        // [<id as JSON>,<new version>] (see VersionWatch)
        if (ids.length > 0) announced.byte(0x2c);
        announced.byte(0x5b);
        writeJsonString(announced, id, sink.buf.subarray(start - idBytes, start));
        announced.byte(0x2c);
        announced.writeDecimal(u.expectedVersion + 1);
        announced.byte(0x5d); // ]
        ids.push(id);
      }
      announced.byte(0x5d);
      const before = `${head}$${sink.pos - room}\r\n`;
      const from = room - Buffer.byteLength(before);
      sink.buf.write(before, from, 'utf8');
      writeBulk(sink, lengths.written(), '\r\n');
      writeBulk(sink, this.channelBytes, '');
      writeBulk(sink, announced.written(), '');
      const frame = sink.buf.subarray(from, sink.pos);
      const conflicts = (await this.call('write entity states', () =>
        CAS_PUT_SCRIPT.run(this.redis, frame),
      )) as number[];
      if (conflicts.length > 0) {
        const conflicting = conflicts.map((i) => ids[i - 1]);
        for (const id of conflicting) this.watch?.forget(id);
        throw new StateVersionConflictError(conflicting);
      }
      this.watch?.noteWritten(updates);
    } finally {
      this.sinks.give(sink);
    }
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
