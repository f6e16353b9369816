import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PULSE_SERVICES } from '@pulse/contracts';

// Docker and Kubernetes don't run here, so the manifests are checked for what every service must
// have: a compose container from the one image, and a Deployment, Service and autoscaler.
const repo = join(__dirname, '..', '..', '..', '..');
const services = readdirSync(join(repo, 'apps')).filter((name) => name.endsWith('-service'));
const compose = readFileSync(join(repo, 'docker-compose.yml'), 'utf8');
const prometheus = readFileSync(join(repo, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
const dashboards = join(repo, 'deploy', 'grafana', 'dashboards');

// The connections each service makes when deployed. A variable left out does not fail: the service
// embeds a stand-in instead (an in-process bus, an empty in-process online store) and runs wrong.
const CONNECTIONS: Record<string, readonly string[]> = {
  'feature-service': ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL'],
  'training-service': ['KAFKA_BROKERS', 'DATABASE_URL'],
  // Reads the online feature state feature-service keeps in Redis, and the registry in Postgres.
  'inference-service': ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL'],
  'experiment-service': ['KAFKA_BROKERS', 'DATABASE_URL'],
  // Predictions, labels, windows and alert state in Postgres; no Redis.
  'monitoring-service': ['KAFKA_BROKERS', 'DATABASE_URL'],
};
const connectionsOf = (service: string) => CONNECTIONS[service] ?? ['KAFKA_BROKERS'];

const portOf = (service: string) => PULSE_SERVICES.find((s) => s.name === service)?.port;

/** A service's block of docker-compose.yml (its indented lines). */
function composeBlock(service: string): string {
  return new RegExp(`^  ${service}:\\n((?:    .*\\n|\\n)+)`, 'm').exec(compose)?.[1] ?? '';
}

/** The variables a compose block sets, its merged `<<: *service-env` anchor's included. */
function composeVariables(block: string): Set<string> {
  const names = [...block.matchAll(/^ {6}([A-Z][A-Z0-9_]*):/gm)].map(([, name]) => name);
  if (/<<: \*service-env/.test(block)) {
    const anchor = /^x-service-env: &service-env\n((?: {2}.*\n)+)/m.exec(compose)?.[1] ?? '';
    names.push(...[...anchor.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map(([, name]) => name));
  }
  return new Set(names);
}

/** The YAML documents of a manifest file, each with its kind and name (read from the text). */
function documents(file: string): { kind: string; name: string; text: string }[] {
  return readFileSync(file, 'utf8')
    .split(/^---$/m)
    .map((text) => ({
      kind: /^kind:\s*(\S+)/m.exec(text)?.[1] ?? '',
      name: /^metadata:\s*\n\s+name:\s*(\S+)/m.exec(text)?.[1] ?? '',
      text,
    }))
    .filter((d) => d.kind !== '');
}

describe('deployment manifests', () => {
  it('cover at least the feature service', () => expect(services).toContain('feature-service'));

  it('cover only services with a fixed port', () =>
    expect(services.filter((service) => portOf(service) === undefined)).toEqual([]));

  describe('Grafana dashboards', () => {
    const files = readdirSync(dashboards).filter((f) => f.endsWith('.json'));
    const parsed = files.map((file) => ({
      file,
      dashboard: JSON.parse(readFileSync(join(dashboards, file), 'utf8')) as {
        uid: string;
        panels: { id: number; datasource?: { uid: string }; targets?: { datasource?: { uid: string } }[] }[];
      },
    }));

    it('each have their own uid, and panel ids unique within them', () => {
      expect(new Set(parsed.map((d) => d.dashboard.uid)).size).toBe(files.length);
      for (const { file, dashboard } of parsed)
        expect([file, new Set(dashboard.panels.map((p) => p.id)).size]).toEqual([file, dashboard.panels.length]);
    });

    it('query the provisioned Prometheus datasource only', () => {
      const provisioned = readFileSync(
        join(repo, 'deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'),
        'utf8',
      );
      const uid = /uid:\s*(\S+)/.exec(provisioned)?.[1];
      const used = parsed.flatMap(({ dashboard }) =>
        dashboard.panels.flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]),
      );
      expect(new Set(used)).toEqual(new Set([uid]));
    });
  });

  describe.each(services)('%s', (service) => {
    it('has a compose container built from the one image, running its own entry point', () => {
      const block = composeBlock(service);
      expect(block).toContain('dockerfile: deploy/docker/Dockerfile');
      expect(block).toContain(`command: ['node', 'dist/apps/${service}/main.js']`);
    });

    it('has a Deployment, a Service and an autoscaler of that Deployment, with Kafka TLS/SASL from a secret', () => {
      const file = join(repo, 'deploy', 'k8s', `${service}.yaml`);
      expect(existsSync(file)).toBe(true);
      const docs = documents(file);
      expect(docs.map((d) => `${d.kind}/${d.name}`).sort()).toEqual(
        [`Deployment/${service}`, `HorizontalPodAutoscaler/${service}`, `Service/${service}`].sort(),
      );
      const deployment = docs.find((d) => d.kind === 'Deployment')!.text;
      // The autoscaler owns the replica count; a fixed one would fight it on every apply.
      expect(deployment).not.toMatch(/^\s+replicas:/m);
      expect(deployment).toContain(`command: ['node', 'dist/apps/${service}/main.js']`);
      expect(deployment).toMatch(/secretRef: \{ name: pulse-kafka-security, optional: true \}/);
      const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler')!.text;
      expect(hpa).toContain(`scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${service} }`);
      expect(Number(/maxReplicas:\s*(\d+)/.exec(hpa)?.[1])).toBeGreaterThan(
        Number(/minReplicas:\s*(\d+)/.exec(hpa)?.[1]),
      );
    });

    it('listens, is probed, announced and scraped on its own port', () => {
      const port = portOf(service);
      const block = composeBlock(service);
      expect(block).toContain(`PORT: '${port}'`);
      expect(block).toContain(`- '${port}:${port}'`);
      const docs = documents(join(repo, 'deploy', 'k8s', `${service}.yaml`));
      const deployment = docs.find((d) => d.kind === 'Deployment')!.text;
      expect(deployment).toContain(`{ name: http, containerPort: ${port} }`);
      expect(deployment).toContain(`{ name: PORT, value: '${port}' }`);
      expect(deployment).toContain(`prometheus.io/port: '${port}'`);
      expect(deployment).toMatch(/readinessProbe:\n\s+httpGet: \{ path: \/\S*, port: http \}/);
      expect(deployment).toMatch(/livenessProbe:\n\s+httpGet: \{ path: \/\S*, port: http \}/);
      expect(docs.find((d) => d.kind === 'Service')!.text).toContain(`{ name: http, port: ${port}, targetPort: http }`);
      expect(prometheus).toMatch(
        new RegExp(
          `- job_name: ${service}\\n\\s+metrics_path: /metrics\\n\\s+static_configs:\\n\\s+- targets: \\['${service}:${port}'\\]`,
        ),
      );
      expect(/^ {2}prometheus:\n(?: {4}.*\n)*? {4}depends_on: \[(.*)\]/m.exec(compose)?.[1].split(/,\s*/)).toContain(
        service,
      );
    });

    it('connects to the real Kafka, Postgres and Redis it needs, in compose and on Kubernetes alike', () => {
      const inCompose = composeVariables(composeBlock(service));
      const deployment = documents(join(repo, 'deploy', 'k8s', `${service}.yaml`)).find(
        (d) => d.kind === 'Deployment',
      )!.text;
      const inK8s = new Set([...deployment.matchAll(/\{ name: ([A-Z][A-Z0-9_]*), value/g)].map(([, name]) => name));
      expect(connectionsOf(service).filter((v) => !inCompose.has(v))).toEqual([]);
      expect(connectionsOf(service).filter((v) => !inK8s.has(v))).toEqual([]);
      // The database password is a Secret's, never in the manifest.
      expect(deployment).toContain(
        '{ name: DATABASE_URL, valueFrom: { secretKeyRef: { name: pulse-secrets, key: DATABASE_URL } } }',
      );
    });
  });
});
