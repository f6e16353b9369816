import { InvalidArgumentError } from 'commander';
import { PULSE_SERVICES, type PulseServiceName } from '@pulse/contracts';

export interface StatusTarget {
  readonly name: PulseServiceName;
  /** Base URL without a trailing slash. */
  readonly url: string;
}

const HTTP_URL = /^https?:\/\/[^/\s]+/;

/** `feature-service` -> PULSE_FEATURE_SERVICE_URL: the variable that places a service elsewhere. */
export function urlVariable(service: string): string {
  return `PULSE_${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;
}

/** Commander parser of a repeatable `--url service=url`: checks the service and the URL, collects them. */
export function collectServiceUrl(value: string, previous: string[]): string[] {
  const [name, url] = splitTarget(value);
  if (!PULSE_SERVICES.some((s) => s.name === name)) {
    throw new InvalidArgumentError(
      `unknown service "${name}"; one of ${PULSE_SERVICES.map((s) => s.name).join(', ')}.`,
    );
  }
  if (!HTTP_URL.test(url)) throw new InvalidArgumentError(`"${url}" is not an http(s) URL.`);
  return [...previous, `${name}=${url}`];
}

function splitTarget(value: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected service=url, got "${value}".`);
  return [value.slice(0, at), withoutTrailingSlash(value.slice(at + 1))];
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Where each service is asked: `--url service=url` first, then PULSE_<SERVICE>_URL from `env`, then
 * `host` on the service's fixed port (the embedded platform's).
 */
export function statusTargets(
  host: string,
  urls: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = {},
): StatusTarget[] {
  if (typeof host !== 'string' || host.trim() === '') throw new TypeError('host: expected a host name');
  const given = new Map(urls.map(splitTarget));
  return PULSE_SERVICES.map((s) => {
    const variable = urlVariable(s.name);
    const fromEnv = env[variable]?.trim();
    if (fromEnv && !HTTP_URL.test(fromEnv))
      throw new InvalidArgumentError(`${variable} is "${fromEnv}", not an http(s) URL.`);
    const url = given.get(s.name) ?? (fromEnv ? withoutTrailingSlash(fromEnv) : `http://${host}:${s.port}`);
    return { name: s.name, url };
  });
}
