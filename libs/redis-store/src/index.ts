// The Redis online store (ioredis): the OnlineStore of @pulse/features kept in Redis, with its version watch
export { RedisOnlineStore, type RedisOnlineStoreOptions } from './redis-online-store';
export { VersionWatch } from './version-watch';
