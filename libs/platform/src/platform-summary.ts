import type { RunningPlatform } from './platform';

/** The one startup message: each service's URLs, what runs embedded, and the simulator. */
export function platformSummary(p: RunningPlatform): string {
  const { infra, simulator } = p.config;
  const e = p.embedded;
  const width = Math.max(...p.services.map((s) => s.name.length));
  const lines = [
    `Pulse is up in ${(p.startedInMs / 1000).toFixed(1)} s: ${p.services.length} service(s) in this process`,
    ...p.services.map(
      (s) =>
        `  ${s.name.padEnd(width)}  ${s.url}   docs ${s.docsUrl}   metrics ${s.metricsUrl}   health ${s.url}/health`,
    ),
    `  bus:          ${e.bus ? 'embedded (in-process)' : `kafka ${infra.kafkaBrokers?.join(',')}`}`,
    `  database:     ${e.database ? `embedded PGlite (${infra.dataDir ? `files in ${infra.dataDir}` : 'in memory'})` : 'postgres (DATABASE_URL)'}`,
    `  online store: ${e.onlineStore ? 'embedded (in-process)' : 'redis (REDIS_URL)'}`,
    `  simulator:    ${
      p.simulating
        ? `${simulator.learners} learners, ${simulator.days} days up to now${simulator.live ? ', then live' : ''}, into ${p.config.eventsTopic}`
        : 'off (SIMULATOR=true turns it on)'
    }`,
    `  api token:    ${
      p.generatedApiToken
        ? `${p.generatedApiToken} (admin, made for this run: send Authorization: Bearer <token> to train or move aliases; PULSE_API_TOKENS sets your own)`
        : 'from PULSE_API_TOKENS'
    }`,
    `  Ctrl-C stops everything.`,
  ];
  return lines.join('\n');
}
