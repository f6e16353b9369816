// Injection tokens of inference-service's providers (the objects come from libs, not Nest classes).
/** The module's options (InferenceServiceModuleOptions), as given to register or made by registerAsync. */
export const IS_OPTIONS = Symbol('IS_OPTIONS');
export const IS_CONFIG = Symbol('IS_CONFIG');
export const IS_METRICS = Symbol('IS_METRICS');
/** The connections and repositories (InferenceInfrastructure). */
export const IS_INFRASTRUCTURE = Symbol('IS_INFRASTRUCTURE');
