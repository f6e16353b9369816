// Injection tokens of the feature service's providers (the objects come from libs, not Nest classes).
/** The module's options (FeatureServiceModuleOptions), as given to register or made by registerAsync. */
export const FS_OPTIONS = Symbol('FS_OPTIONS');
export const FS_CONFIG = Symbol('FS_CONFIG');
export const EVENT_LOG = Symbol('EVENT_LOG');
export const ONLINE_STORE = Symbol('ONLINE_STORE');
export const FEATURE_REGISTRY = Symbol('FEATURE_REGISTRY');
export const PUBLISHER = Symbol('PUBLISHER');
/** The dead-letter outbox (DeadLetterWriter) ingest writes its dead letters to. */
export const DEAD_LETTERS = Symbol('DEAD_LETTERS');
export const FS_METRICS = Symbol('FS_METRICS');
export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
/** The StateCache shared by ingest (foldBatchIntoStore's stateCache) and feature reads. */
export const FEATURE_STATE_CACHE = Symbol('FEATURE_STATE_CACHE');
/** The IngestStatus that ingest reports to and /health reads. */
export const INGEST_STATUS = Symbol('INGEST_STATUS');
