// Injection tokens of experiment-service's providers (the objects come from libs, not Nest classes).
/** The module's options (ExperimentServiceModuleOptions). */
export const XS_OPTIONS = Symbol('XS_OPTIONS');
export const XS_CONFIG = Symbol('XS_CONFIG');
export const XS_METRICS = Symbol('XS_METRICS');
/** The connections and repositories (ExperimentInfrastructure). */
export const XS_INFRASTRUCTURE = Symbol('XS_INFRASTRUCTURE');
