// The checks every service's deploy spec makes of deploy/ and docker-compose.yml, as jest
// expectations. What differs between services (name, port, files, replicas, health) is passed in.
import { composeBlock, readRepoFile } from './deploy-files';

/** Where Prometheus's configuration is (its rule files are mounted under /etc/prometheus/). */
const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';

/**
 * Prometheus scrapes the service's /metrics on its port as a job named after it, loads its rule
 * file, and every job="…" a query names is a job it scrapes.
 */
export function expectPrometheusScrapes(options: {
  readonly service: string;
  readonly port: number;
  readonly rules: string;
  readonly queries: readonly { readonly expr: string }[];
}): void {
  const { service, port, rules, queries } = options;
  const config = readRepoFile(PROMETHEUS_CONFIG);
  const jobs = new Set([...config.matchAll(/job_name:\s*(\S+)/g)].map(([, job]) => job));
  expect(config).toMatch(
    new RegExp(`job_name: ${service}\\n\\s+metrics_path: /metrics\\n[\\s\\S]*?'${service}:${port}'`),
  );
  expect(config).toContain(`/etc/prometheus/${rules.split('/').pop()}`);
  const named = queries.flatMap(({ expr }) => [...expr.matchAll(/\bjob\s*=\s*"([^"]+)"/g)].map(([, job]) => job));
  expect(named.length).toBeGreaterThan(0);
  expect(named.filter((job) => !jobs.has(job))).toEqual([]);
}

/**
 * The service's compose entry runs its built entry point on its port against compose's Kafka and
 * Postgres (started healthy first), without Redis, and Prometheus starts after it.
 */
export function expectComposeOnKafkaAndPostgres(service: string, port: number): void {
  const compose = composeBlock(service);
  expect(compose).toContain(`command: ['node', 'dist/apps/${service}/main.js']`);
  expect(compose).toContain(`PORT: '${port}'`);
  expect(compose).toContain(`- '${port}:${port}'`);
  expect(compose).toMatch(/^ {6}KAFKA_BROKERS: kafka:9092$/m);
  expect(compose).toMatch(/^ {6}DATABASE_URL: postgres:\/\/\S+@postgres:5432\/\S+$/m);
  expect(compose).not.toMatch(/REDIS_URL|service-env|redis:/);
  expect(compose).toMatch(/kafka: \{ condition: service_healthy \}\n\s+postgres: \{ condition: service_healthy \}/);
  const prometheus = /^ {2}prometheus:\n(?: {4}.*\n)*? {4}depends_on: \[(.*)\]/m.exec(
    readRepoFile('docker-compose.yml'),
  );
  expect(prometheus?.[1].split(/,\s*/)).toContain(service);
}

/**
 * The manifest's Deployment leaves its replicas to the HorizontalPodAutoscaler (at least
 * `minReplicas`, room to grow), runs the entry point on the port, is scraped there, and a Service
 * exposes that port.
 */
export function expectAutoscaledDeployment(options: {
  readonly service: string;
  readonly port: number;
  readonly minReplicas: number;
  /** The manifest's documents, by kind. */
  readonly manifest: (kind: string) => string;
}): void {
  const { service, port, minReplicas, manifest } = options;
  const hpa = manifest('HorizontalPodAutoscaler');
  const deployment = manifest('Deployment');
  expect(hpa).toContain(`scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${service} }`);
  const min = Number(/minReplicas:\s*(\d+)/.exec(hpa)?.[1]);
  expect(min).toBeGreaterThanOrEqual(minReplicas);
  expect(Number(/maxReplicas:\s*(\d+)/.exec(hpa)?.[1])).toBeGreaterThan(min);
  expect(deployment).not.toMatch(/^\s+replicas:/m);
  expect(deployment).toContain(`command: ['node', 'dist/apps/${service}/main.js']`);
  expect(deployment).toContain(`{ name: http, containerPort: ${port} }`);
  expect(deployment).toContain(`prometheus.io/port: '${port}'`);
  expect(manifest('Service')).toContain(`{ name: http, port: ${port}, targetPort: http }`);
}

/**
 * The Deployment takes Kafka's brokers from the shared config map, Postgres's URL and Kafka's
 * security settings from secrets, and no Redis.
 */
export function expectKafkaAndPostgresFromConfig(deployment: string): void {
  expect(deployment).toContain(
    '{ name: KAFKA_BROKERS, valueFrom: { configMapKeyRef: { name: pulse-config, key: KAFKA_BROKERS } } }',
  );
  expect(readRepoFile('deploy/k8s/config.yaml')).toMatch(/^ {2}KAFKA_BROKERS: \S+$/m);
  expect(deployment).toContain(
    '{ name: DATABASE_URL, valueFrom: { secretKeyRef: { name: pulse-secrets, key: DATABASE_URL } } }',
  );
  expect(deployment).toContain('- secretRef: { name: pulse-kafka-security, optional: true }');
  expect(deployment).not.toContain('REDIS_URL');
}

/**
 * The configuration reads the `required` variables, and compose and the Deployment set (some, and)
 * only variables it reads.
 */
export function expectOnlyVariablesRead(options: {
  readonly service: string;
  readonly deployment: string;
  /** What the configuration reads (see variablesRead). */
  readonly known: ReadonlySet<string>;
  readonly required: readonly string[];
}): void {
  const { service, deployment, known, required } = options;
  expect([...known]).toEqual(expect.arrayContaining([...required]));
  const inCompose = [...composeBlock(service).matchAll(/^ {6}([A-Z][A-Z0-9_]*):/gm)].map(([, name]) => name);
  const inK8s = [...deployment.matchAll(/\{ name: ([A-Z][A-Z0-9_]*), value/g)].map(([, name]) => name);
  expect(inCompose.length).toBeGreaterThan(0);
  expect(inK8s.length).toBeGreaterThan(0);
  expect([...inCompose, ...inK8s].filter((name) => !known.has(name))).toEqual([]);
}

/**
 * The running service (at `url`) answers the Deployment's liveness, readiness and startup probes
 * with 200, /health with `health`, and the annotated scrape path with its metrics (`metricPrefix`).
 */
export async function expectProbesAnswer(options: {
  readonly deployment: string;
  readonly url: string;
  readonly health: object;
  readonly metricPrefix: string;
}): Promise<void> {
  const { deployment, url, health, metricPrefix } = options;
  const probes = [...deployment.matchAll(/(\w+Probe):\n\s+httpGet: \{ path: (\S+), port: http \}/g)];
  expect(probes.map(([, probe]) => probe).sort()).toEqual(['livenessProbe', 'readinessProbe', 'startupProbe']);
  for (const [, probe, path] of probes) expect([probe, (await fetch(`${url}${path}`)).status]).toEqual([probe, 200]);
  expect(await (await fetch(`${url}/health`)).json()).toMatchObject(health);
  const path = /prometheus\.io\/path: (\S+)/.exec(deployment)![1];
  expect(await (await fetch(`${url}${path}`)).text()).toContain(`# TYPE ${metricPrefix}`);
}
