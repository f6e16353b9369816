import { ConfigError } from '../errors/pulse-error';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed settings from the environment once, at startup. A missing required variable or a
 * malformed value throws a ConfigError naming the variable, so the process stops with a clear message.
 */
export class EnvReader {
  constructor(private readonly env: Env = process.env) {}

  string(name: string, fallback?: string): string {
    const raw = this.env[name];
    if (raw === undefined || raw === '') {
      if (fallback === undefined) throw new ConfigError(name, `missing required environment variable ${name}`);
      return fallback;
    }
    return raw;
  }

  optionalString(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  }

  int(name: string, fallback?: number, min = -Infinity, max = Infinity): number {
    const raw = this.optionalString(name);
    if (raw === undefined) {
      if (fallback === undefined) throw new ConfigError(name, `missing required environment variable ${name}`);
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `${name} must be an integer in [${min}, ${max}], got "${raw}"`);
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optionalString(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(name, `${name} must be true or false, got "${raw}"`);
  }

  list(name: string, fallback?: string[]): string[] {
    const raw = this.optionalString(name);
    if (raw === undefined) {
      if (fallback === undefined) throw new ConfigError(name, `missing required environment variable ${name}`);
      return fallback;
    }
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}
