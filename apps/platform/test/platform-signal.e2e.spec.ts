/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '@pulse/testing';

// `npm start` as a process: the built platform (the test target builds it first), stopped by a signal
// the way Ctrl-C or Kubernetes stop it.
const root = path.resolve(__dirname, '../../..');
const main = path.join(root, 'dist/apps/platform/main.js');

function startPlatformProcess(): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      FEATURE_SERVICE_PORT: '0',
      TRAINING_SERVICE_PORT: '0',
      INFERENCE_SERVICE_PORT: '0',
      SIMULATOR_LEARNERS: '5',
      SIMULATOR_DAYS: '1',
      SIMULATOR_RATE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

describe('platform process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'logs where each service is, serves, and stops cleanly on %s',
    async (signal) => {
      const { child, output, exit } = startPlatformProcess();
      try {
        // Not a terminal: the summary is one JSON record naming each service's URL.
        const summary = await waitFor(
          () =>
            output()
              .split('\n')
              .filter((l) => l.startsWith('{'))
              .map((l) => JSON.parse(l) as { msg?: string; context?: string })
              .find((r) => r.context === 'Platform' && r.msg?.startsWith('Pulse is up')),
          { timeoutMs: 60_000, intervalMs: 100, message: `the startup summary; output so far:\n${output()}` },
        );
        const url = /feature-service +(http:\/\/\S+)/.exec(summary.msg!)?.[1];
        expect(url).toBeDefined();
        expect((await fetch(`${url}/health`)).status).toBe(200);

        child.kill(signal);
        expect(await exit).toBe(0);
        expect(output()).toContain(`${signal}: stopping`);
        // The port is let go with the process.
        await expect(fetch(`${url}/health`)).rejects.toThrow();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
