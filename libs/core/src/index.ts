export * from './errors/pulse-error';
export * from './guards/guards';
export * from './config/env-config';
export * from './bytes/byte-sink';
export * from './random/prng';
export * from './timing/time-call';
export * from './collections/lru-map';
export * from './timing/wakeable-loop';
