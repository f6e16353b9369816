// The platform: every built service in one process on shared (embedded or real) infrastructure
export * from './hosted-services';
export * from './platform.config';
export * from './platform';
export * from './platform-summary';
export * from './run-platform';
