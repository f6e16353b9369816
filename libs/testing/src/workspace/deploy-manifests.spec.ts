import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Docker and Kubernetes don't run here, so the manifests are checked for what every service must
// have: a compose container from the one image, and a Deployment, Service and autoscaler.
const repo = join(__dirname, '..', '..', '..', '..');
const services = readdirSync(join(repo, 'apps')).filter((name) => name.endsWith('-service'));
const compose = readFileSync(join(repo, 'docker-compose.yml'), 'utf8');

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

  describe.each(services)('%s', (service) => {
    it('has a compose container built from the one image, running its own entry point', () => {
      const block = new RegExp(`^  ${service}:\\n((?:    .*\\n|\\n)+)`, 'm').exec(compose)?.[1] ?? '';
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
  });
});
