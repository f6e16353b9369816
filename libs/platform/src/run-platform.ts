import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { startPlatform, type RunningPlatform } from './platform';
import { platformSummary } from './platform-summary';

/**
 * `npm start`: the platform in this process until SIGINT or SIGTERM, then a clean stop (exit 0). Exits
 * 1 naming the variable or the failure when it cannot start.
 */
export async function runPlatform(): Promise<void> {
  let platform: RunningPlatform;
  try {
    platform = await startPlatform();
  } catch (err) {
    if (err instanceof ConfigError) console.error(`platform: configuration error: ${err.message}`);
    else console.error(`platform: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  }
  const logger = new Logger('Platform');
  const summary = platformSummary(platform);
  // A person at a terminal reads the summary as text; a log collector gets it as one record.
  if (process.stdout.isTTY) process.stdout.write(`\n${summary}\n\n`);
  else logger.log(summary);
  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: stopping`);
    // A second signal while stopping ends the process at once.
    process.once(signal, () => process.exit(130));
    platform.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`platform: stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
