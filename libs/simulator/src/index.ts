// Learning-engagement event stream simulator with latent learner traits (see README.md for the model).
// The seeded PRNG simulations draw from (the workspace's one, in @pulse/core).
export { Prng } from '@pulse/core';
export * from './model/behaviour';
export * from './model/learner';
export * from './simulation/simulation-options';
export * from './simulation/injection';
export * from './simulation/simulation';
export * from './simulation/learner-world';
export * from './experiment/treatment-effect';
export * from './experiment/treatment-options';
export * from './experiment/potential-outcomes';
export * from './drift/drift-options';
export * from './drift/world-drift';
export * from './sinks/event-sink';
export * from './sinks/jsonl.sink';
export * from './sinks/oracle-csv.writer';
export * from './sinks/publisher.sink';
export * from './sinks/rate-publisher';
