// feature-service and inference-service as the built apps in child processes of their own, started
// again on a fresh events topic for each Kafka run (a run the services fell behind on must not leave
// its backlog to the next one).
import { builtAppMain, ensureBuilt, freePort, randomName, ServiceProcess, waitFor } from '@pulse/testing';

export class BenchServices {
  feature: ServiceProcess | undefined;
  inference: ServiceProcess | undefined;
  eventsTopic = '';
  topFactors = '';
  private ports: { feature: number; inference: number } | undefined;

  constructor(
    /** Everything but the events topic, the groups and INFERENCE_TOP_FACTORS. */
    private readonly env: Readonly<Record<string, string>>,
    private readonly model: string,
    private readonly version: number,
  ) {}

  /** Stops what runs, then starts both on `eventsTopic` (new consumer groups) and waits until the champion serves. */
  async start(eventsTopic: string, topFactors: string): Promise<void> {
    await this.stop();
    this.ports ??= { feature: await freePort(), inference: await freePort() };
    const env = {
      ...this.env,
      ENGAGEMENT_TOPIC: eventsTopic,
      CONSUMER_GROUP: randomName('bench-feature-service'),
      INFERENCE_CONSUMER_GROUP: randomName('bench-inference-service'),
      INFERENCE_TOP_FACTORS: topFactors,
    };
    this.feature = new ServiceProcess(
      'feature-service',
      this.ports.feature,
      { ...env, PULSE_BENCH_PROFILE_NAME: 'feature-service' },
      () => ensureBuilt(builtAppMain('feature-service')),
    );
    this.inference = new ServiceProcess(
      'inference-service',
      this.ports.inference,
      { ...env, PULSE_BENCH_PROFILE_NAME: `inference-service-factors-${topFactors}` },
      () => ensureBuilt(builtAppMain('inference-service')),
    );
    await this.feature.start();
    await this.inference.start();
    const url = this.inference.url;
    await waitFor(
      async () => {
        const res = await fetch(`${url}/v1/models`);
        const body = (await res.json()) as { models: { model: string; aliases: Record<string, number | null> }[] };
        return body.models.find((m) => m.model === this.model)?.aliases.champion === this.version || null;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: `inference-service serving ${this.model} version ${this.version}`,
      },
    );
    this.eventsTopic = eventsTopic;
    this.topFactors = topFactors;
  }

  get inferenceUrl(): string {
    if (!this.inference) throw new Error('inference-service is not running');
    return this.inference.url;
  }

  async stop(): Promise<void> {
    await this.inference?.stop();
    await this.feature?.stop();
    this.inference = undefined;
    this.feature = undefined;
  }
}
