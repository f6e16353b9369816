import { ConfigError } from '@pulse/core';
import { pino, type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino';

/** Most to least severe (pino's levels); `silent` writes nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const satisfies readonly Level[];
export type LogLevel = LevelWithSilent;
export type LogFields = Record<string, unknown>;
export type { Logger };

export interface LoggerOptions {
  /** Most verbose level written. Default: LOG_LEVEL from the environment, else `info`. */
  readonly level?: LogLevel;
  /** Where the JSON lines go. Default: stdout. */
  readonly destination?: DestinationStream;
  /** Fields added to every record. */
  readonly bindings?: LogFields;
  /** The clock of the `time` field (tests fix it). */
  readonly now?: () => Date;
}

/** Nest's and other common spellings of pino's levels. */
const ALIASES: Readonly<Record<string, LogLevel>> = { log: 'info', verbose: 'trace', warning: 'warn' };
const SECRET_KEY = /pass(word)?|secret|token|authorization|api[-_]?key|credential|cookie/i;
const URL_CREDENTIALS = /(\/\/[^:/@\s]+):[^@/\s]*@/g;
/** A line that may hold a secret: only those are parsed and redacted (most lines are not). */
const MAY_HOLD_SECRET = new RegExp(`${SECRET_KEY.source}|://.*@`, 'i');

/** Parses a level name (also `log`, `verbose`, `warning`, `silent`); an unknown name is a ConfigError naming `variable`. */
export function parseLogLevel(raw: string, variable = 'LOG_LEVEL'): LogLevel {
  const name = raw.trim().toLowerCase();
  const level =
    (LOG_LEVELS as readonly string[]).includes(name) || name === 'silent' ? (name as LogLevel) : ALIASES[name];
  if (level === undefined) {
    throw new ConfigError(variable, `${variable} must be one of ${LOG_LEVELS.join(', ')} or silent, got "${raw}"`);
  }
  return level;
}

function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(URL_CREDENTIALS, '$1:***@');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(redact);
  const out: LogFields = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '[redacted]' : redact(v);
  }
  return out;
}

/**
 * Redacts a finished JSON line: values under secret-looking keys and passwords inside URLs, wherever
 * they are (message, fields, child bindings, request logs). Applied to the line because pino's own
 * `redact` takes fixed paths, not key patterns at any depth.
 */
export function redactLine(line: string): string {
  if (!MAY_HOLD_SECRET.test(line)) return line;
  try {
    return `${JSON.stringify(redact(JSON.parse(line)))}\n`;
  } catch {
    return line.replace(URL_CREDENTIALS, '$1:***@');
  }
}

/**
 * A pino logger writing one JSON object per line: `time` (ISO 8601), `level` (its name), `logger`
 * (this name), `msg`, the bindings and the fields; errors under `err` with their cause. Call as pino:
 * `logger.info({ events: 500 }, 'batch applied')`, `logger.error(err, 'append failed')`.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.LOG_LEVEL ? parseLogLevel(process.env.LOG_LEVEL) : 'info');
  const now = options.now;
  return pino(
    {
      level,
      base: { logger: name, ...options.bindings },
      timestamp: now === undefined ? pino.stdTimeFunctions.isoTime : () => `,"time":"${now().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.errWithCause },
      hooks: { streamWrite: redactLine },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
