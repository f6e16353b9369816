import { ConfigError } from '@pulse/core';

/** Most to least severe. `log` is Nest's name for `info`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface LoggerOptions {
  /** Most verbose level written. Default: LOG_LEVEL from the environment, else `info`. */
  readonly level?: LogLevel;
  /** Where each JSON line goes. Default: stdout. */
  readonly sink?: (line: string) => void;
  /** Fields added to every record. */
  readonly bindings?: LogFields;
  readonly now?: () => Date;
}

const RANK: Record<LogLevel, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5 };
const ALIASES: Record<string, LogLevel> = { log: 'info', trace: 'verbose', warning: 'warn' };
const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|credential|cookie/i;
const URL_CREDENTIALS = /(\/\/[^:/@\s]+):[^@/\s]*@/g;

/** Parses a level name (also Nest's `log`); an unknown name is a ConfigError naming `variable`. */
export function parseLogLevel(raw: string, variable = 'LOG_LEVEL'): LogLevel {
  const name = raw.trim().toLowerCase();
  const level = (LOG_LEVELS as readonly string[]).includes(name) ? (name as LogLevel) : ALIASES[name];
  if (level === undefined) {
    throw new ConfigError(variable, `${variable} must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level;
}

/**
 * A structured logger writing one JSON object per line: time, level, logger name, message and
 * fields. Values under secret-looking keys and passwords inside URLs are redacted before writing.
 *
 * It also has the shape of Nest's LoggerService (log/error/warn/debug/verbose/fatal with a trailing
 * context string, and setLogLevels), so `NestFactory.create(App, { logger })` routes Nest's own
 * messages through it without this library importing Nest.
 */
export class JsonLogger {
  private enabled: Set<LogLevel>;
  private readonly sink: (line: string) => void;
  private readonly now: () => Date;

  constructor(
    readonly name: string,
    private readonly options: LoggerOptions = {},
    private readonly bindings: LogFields = options.bindings ?? {},
  ) {
    const level = options.level ?? (process.env.LOG_LEVEL ? parseLogLevel(process.env.LOG_LEVEL) : 'info');
    this.enabled = new Set(LOG_LEVELS.filter((l) => RANK[l] <= RANK[level]));
    this.sink = options.sink ?? ((line) => process.stdout.write(line + '\n'));
    this.now = options.now ?? (() => new Date());
  }

  /** A logger with the same settings whose records all carry `bindings`. */
  child(bindings: LogFields): JsonLogger {
    const child = new JsonLogger(this.name, this.options, { ...this.bindings, ...bindings });
    child.enabled = new Set(this.enabled);
    return child;
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.enabled.has(level);
  }

  info(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest calls this with the levels to keep, e.g. ['log', 'error', 'warn']. */
  setLogLevels(levels: string[]): void {
    this.enabled = new Set(levels.map((l) => parseLogLevel(l, 'logLevels')));
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const record: LogFields = { time: this.now().toISOString(), level, logger: this.name, ...this.bindings };
    const strings: string[] = [];
    if (message instanceof Error) {
      record.msg = message.message;
      record.err = serializeError(message);
    } else if (typeof message === 'string') {
      record.msg = message;
    } else {
      record.msg = '';
      record.data = message;
    }
    for (const p of params) {
      if (p instanceof Error) record.err = serializeError(p);
      else if (typeof p === 'string') strings.push(p);
      else if (p !== null && typeof p === 'object' && !Array.isArray(p)) Object.assign(record, p);
      else if (p !== undefined) record.data = p;
    }
    // Nest passes a trailing context string, and for errors a stack before it.
    if (strings.length > 0) record.context = strings.pop();
    if (strings.length > 0) {
      if (level === 'error' || level === 'fatal') record.stack = strings.shift();
      if (strings.length > 0) record.details = strings;
    }
    this.sink(safeStringify(redact(record, 0, new WeakSet())));
  }
}

export function createLogger(name: string, options: LoggerOptions = {}): JsonLogger {
  return new JsonLogger(name, options);
}

function serializeError(err: Error): LogFields {
  const out: LogFields = { name: err.name, message: err.message, stack: err.stack };
  for (const [k, v] of Object.entries(err)) out[k] = v;
  if (err.cause !== undefined) out.cause = err.cause instanceof Error ? serializeError(err.cause) : err.cause;
  return out;
}

function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return value.replace(URL_CREDENTIALS, '$1:***@');
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 6) return '[truncated]';
  seen.add(value);
  if (value instanceof Error) return redact(serializeError(value), depth + 1, seen);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Date) return value.toISOString();
  const out: LogFields = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '[redacted]' : redact(v, depth + 1, seen);
  }
  return out;
}

function safeStringify(record: unknown): string {
  try {
    return JSON.stringify(record);
  } catch (err) {
    return JSON.stringify({ level: 'error', msg: 'unserialisable log record', error: (err as Error).message });
  }
}
