// Injection tokens of monitoring-service's providers (the objects come from libs, not Nest classes).
/** The module's options (MonitoringServiceModuleOptions). */
export const MS_OPTIONS = Symbol('MS_OPTIONS');
export const MS_CONFIG = Symbol('MS_CONFIG');
export const MS_METRICS = Symbol('MS_METRICS');
/** The connections and repositories (MonitoringInfrastructure). */
export const MS_INFRASTRUCTURE = Symbol('MS_INFRASTRUCTURE');
