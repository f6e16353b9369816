import { InvalidArgumentError, type Command } from 'commander';
import { PULSE_SERVICES } from '@pulse/contracts';
import { positiveInt } from './option-parsers';

export interface StatusTarget {
  readonly name: string;
  readonly url: string;
}

export type ServiceState = 'up' | 'down' | 'unreachable';

export interface ServiceStatus extends StatusTarget {
  readonly state: ServiceState;
  /** Each health check's name and status (`up` / `down`), as the service reported them. */
  readonly checks: readonly { readonly name: string; readonly status: string; readonly detail?: string }[];
  /** Why the service could not be asked, or what its answer lacked. */
  readonly error?: string;
}

interface StatusOptions {
  host: string;
  url: string[];
  timeout: number;
  json: boolean;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      "print each service's health (GET /health): the embedded platform's ports by default, or the URLs given. " +
        'Exits 1 when no service answers or one that answers is unhealthy.',
    )
    .option('--host <host>', 'where the services listen', 'localhost')
    .option(
      '--url <service=url>',
      'a service at another address, e.g. feature-service=http://10.0.0.5:3001 (repeatable)',
      collectUrl,
      [],
    )
    .option('--timeout <ms>', 'how long to wait for each service', positiveInt(600_000), 2000)
    .option('--json', 'print the statuses as JSON')
    .action(async (options: StatusOptions) => {
      const statuses = await serviceStatuses(statusTargets(options.host, options.url), options.timeout);
      console.log(options.json ? JSON.stringify(statuses, null, 2) : formatStatuses(statuses));
      if (!statusesHealthy(statuses)) process.exitCode = 1;
    });
}

function collectUrl(value: string, previous: string[]): string[] {
  const [name, url] = splitTarget(value);
  if (!PULSE_SERVICES.some((s) => s.name === name)) {
    throw new InvalidArgumentError(
      `unknown service "${name}"; one of ${PULSE_SERVICES.map((s) => s.name).join(', ')}.`,
    );
  }
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new InvalidArgumentError(`"${url}" is not an http(s) URL.`);
  return [...previous, `${name}=${url}`];
}

function splitTarget(value: string): [string, string] {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected service=url, got "${value}".`);
  return [value.slice(0, at), value.slice(at + 1).replace(/\/+$/, '')];
}

/** Every service at `host` on its fixed port, except those `urls` (`service=url`) place elsewhere. */
export function statusTargets(host: string, urls: readonly string[] = []): StatusTarget[] {
  const given = new Map(urls.map(splitTarget));
  return PULSE_SERVICES.map((s) => ({ name: s.name, url: given.get(s.name) ?? `http://${host}:${s.port}` }));
}

export async function serviceStatuses(targets: readonly StatusTarget[], timeoutMs: number): Promise<ServiceStatus[]> {
  return Promise.all(targets.map((t) => serviceStatus(t, timeoutMs)));
}

async function serviceStatus(target: StatusTarget, timeoutMs: number): Promise<ServiceStatus> {
  let response: Response;
  try {
    response = await fetch(`${target.url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ...target, state: 'unreachable', checks: [], error: reachError(err) };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ...target, state: 'down', checks: [], error: `HTTP ${response.status}, not a health report` };
  }
  const checks = healthChecks(body);
  return {
    ...target,
    state: response.ok ? 'up' : 'down',
    checks,
    error: response.ok ? undefined : `HTTP ${response.status}`,
  };
}

function reachError(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (e.g. under a test runner's VM context).
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: string;
    message?: string;
    cause?: { code?: string };
  };
  if (e.name === 'TimeoutError') return 'no answer in time';
  if (e.cause?.code === 'ECONNREFUSED') return 'connection refused';
  return e.cause?.code ?? e.message ?? String(err);
}

/** The checks of a Terminus health report: `{ status, details: { name: { status, … } } }`. */
function healthChecks(body: unknown): ServiceStatus['checks'] {
  const details = (body as { details?: unknown } | null)?.details;
  if (typeof details !== 'object' || details === null) return [];
  return Object.entries(details as Record<string, unknown>).map(([name, value]) => {
    const v = (value ?? {}) as Record<string, unknown>;
    const detail = typeof v.message === 'string' ? v.message : typeof v.reason === 'string' ? v.reason : undefined;
    return { name, status: typeof v.status === 'string' ? v.status : 'unknown', ...(detail ? { detail } : {}) };
  });
}

/** True when some service answered and every service that answered is healthy. */
export function statusesHealthy(statuses: readonly ServiceStatus[]): boolean {
  return statuses.some((s) => s.state !== 'unreachable') && statuses.every((s) => s.state !== 'down');
}

export function formatStatuses(statuses: readonly ServiceStatus[]): string {
  const nameWidth = Math.max(...statuses.map((s) => s.name.length));
  const urlWidth = Math.max(...statuses.map((s) => s.url.length));
  return statuses
    .map((s) => {
      const checks = s.checks.map((c) => `${c.name} ${c.status}${c.detail ? ` (${c.detail})` : ''}`).join(', ');
      const tail = [s.error, checks].filter(Boolean).join('; ');
      return `${s.name.padEnd(nameWidth)}  ${s.url.padEnd(urlWidth)}  ${s.state.padEnd(11)}  ${tail}`.trimEnd();
    })
    .join('\n');
}
