// Injection tokens of training-service's providers (the objects come from libs, not Nest classes).
/** The module's options (TrainingServiceModuleOptions), as given to register or made by registerAsync. */
export const TS_OPTIONS = Symbol('TS_OPTIONS');
export const TS_CONFIG = Symbol('TS_CONFIG');
export const TS_METRICS = Symbol('TS_METRICS');
/** The connections and repositories (TrainingInfrastructure). */
export const TS_INFRASTRUCTURE = Symbol('TS_INFRASTRUCTURE');
/** The model specs the service trains, by name. */
export const MODEL_SPECS = Symbol('MODEL_SPECS');
