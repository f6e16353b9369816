/**
 * The one error hierarchy of the platform. `retriable` says whether trying the same operation again
 * may succeed (a broker or database briefly away); callers retry only those. `cause` keeps the
 * original error for logs.
 */
export class PulseError extends Error {
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.cause = options.cause;
  }
}

/** Input that can never succeed as given (bad event, bad request field, bad definition). */
export class ValidationError extends PulseError {
  /** Dotted path of the offending field, e.g. `attributes.is_correct`. */
  readonly field?: string;

  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { retriable: false, cause: options.cause });
    this.field = options.field;
  }
}

/** Startup configuration is missing or wrong; the process must not start. */
export class ConfigError extends PulseError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message, { retriable: false });
    this.variable = variable;
  }
}

/** A dependency (Kafka, Postgres, Redis) failed in a way that may pass. */
export class ConnectionError extends PulseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: true, cause: options.cause });
  }
}

/** A definition (feature view, model spec) that does not hold together. */
export class DefinitionError extends PulseError {
  readonly definition: string;

  constructor(definition: string, message: string) {
    super(`${definition}: ${message}`, { retriable: false });
    this.definition = definition;
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof PulseError ? err.retriable : false;
}
