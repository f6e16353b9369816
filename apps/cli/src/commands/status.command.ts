import type { Command } from 'commander';
import { positiveInt } from './option-parsers';
import { platformStatus } from './status/platform-status';
import { formatPlatformStatus } from './status/status-format';
import { collectServiceUrl, statusTargets } from './status/status-targets';

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
      "print each service's health (up, degraded with the failing check, down, unreachable) and consumer lag, " +
        "each model's aliases and live quality (the newest closed monitoring window), the open alerts and the " +
        'running experiments. Exit code 0 when every service is up, 1 when one is degraded, down or unreachable.',
    )
    .option('--host <host>', 'where the services listen, each on its fixed port (3001…3005)', 'localhost')
    .option(
      '--url <service=url>',
      'a service at another address, e.g. feature-service=http://10.0.0.5:3001 (repeatable; ' +
        'or PULSE_<SERVICE>_URL, e.g. PULSE_FEATURE_SERVICE_URL)',
      collectServiceUrl,
      [],
    )
    .option('--timeout <ms>', 'how long each request may take', positiveInt(600_000), 2000)
    .option('--json', 'print the status as one JSON object')
    .addHelpText(
      'after',
      '\nA service that does not answer within --timeout is shown as unreachable; the command still ' +
        'prints everything else it could read.\n' +
        'Exit code: 0 when every service is up; 1 when any is degraded, down or unreachable, or on a usage error.',
    )
    .action(async (options: StatusOptions) => {
      const targets = statusTargets(options.host, options.url, process.env);
      const status = await platformStatus(targets, options.timeout);
      console.log(options.json ? JSON.stringify(status, null, 2) : formatPlatformStatus(status));
      if (!status.healthy) process.exitCode = 1;
    });
}
