import { createServer } from 'node:net';
import { ConfigError } from '@pulse/core';
import { startPlatform, type RunningPlatform } from '@pulse/platform';
import { waitFor } from '@pulse/testing';

// The platform as `npm start` runs it, in this process: embedded bus, PGlite and online store, the
// simulator feeding them, every hosted service on its own port (any free one here).
const env = {
  FEATURE_SERVICE_PORT: '0',
  SIMULATOR_LEARNERS: '20',
  SIMULATOR_DAYS: '2',
  SIMULATOR_RATE: '0',
};

/** Whether nothing listens on the port any more (it can be bound again). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('platform (embedded)', () => {
  let platform: RunningPlatform | undefined;
  afterAll(async () => platform?.close());

  it('hosts feature-service on shared embedded infrastructure, serves features from simulated events, and lets go of its ports', async () => {
    platform = await startPlatform({ env, host: '127.0.0.1', logger: false });
    expect(platform.embedded).toEqual({ bus: true, database: true, onlineStore: true });
    expect(platform.simulating).toBe(true);
    const fs = platform.services.find((s) => s.name === 'feature-service')!;
    expect(fs.docsUrl).toBe(`${fs.url}/docs`);
    // Within the minute the start is allowed on a small machine.
    expect(platform.startedInMs).toBeLessThan(60_000);

    const health = await fetch(`${fs.url}/health`);
    expect(health.status).toBe(200);

    // The simulated learners' events arrive through the in-process bus and are served online.
    const ids = Array.from({ length: 20 }, (_, i) => `learner-${String(i + 1).padStart(6, '0')}`);
    const served = await waitFor(
      async () => {
        const res = await fetch(`${fs.url}/v1/features/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ entityIds: ids }),
        });
        const body = (await res.json()) as { results: { path: string; watermark: string | null }[] };
        const online = body.results.filter((r) => r.path === 'online' && r.watermark !== null);
        return online.length > 0 ? online : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250, message: 'features of simulated learners served online' },
    );
    expect(served.length).toBeGreaterThan(0);
    const metrics = await (await fetch(fs.metricsUrl)).text();
    expect(metrics).toMatch(/pulse_events_consumed_total\{source="bus"\} [1-9]/);
    expect((await fetch(fs.docsUrl)).status).toBe(200);

    await platform.close();
    await platform.close(); // idempotent
    await expect(portFree(fs.port)).resolves.toBe(true);
    await expect(fetch(`${fs.url}/health`)).rejects.toThrow();
  });

  it('refuses a malformed port before starting anything, naming the variable', async () => {
    await expect(startPlatform({ env: { ...env, FEATURE_SERVICE_PORT: 'x' }, logger: false })).rejects.toThrow(
      ConfigError,
    );
    await expect(startPlatform({ env: { ...env, FEATURE_SERVICE_PORT: '70000' }, logger: false })).rejects.toThrow(
      /FEATURE_SERVICE_PORT/,
    );
  });
});
