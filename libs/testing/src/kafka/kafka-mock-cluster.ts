import fs from 'node:fs';
import path from 'node:path';

export interface KafkaMockCluster {
  /** Bootstrap servers, `127.0.0.1:P1,127.0.0.1:P2,…`. */
  bootstrap: string;
  pid: number;
  /** SIGTERM to kcat; resolves when it exited. */
  stop(): Promise<void>;
}

type Starter = (options?: { brokers?: number; timeoutMs?: number }) => Promise<KafkaMockCluster>;

/** The plain-JS starter Jest's global setup uses, found from src/ (ts) and dist/ (built) alike. */
function loadStarter(): Starter {
  const relative = path.join('libs', 'testing', 'jest', 'kafka-mock-cluster.js');
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require(candidate) as { startKafkaMockCluster: Starter }).startKafkaMockCluster;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${relative} above ${__dirname}`);
  }
}

/**
 * Starts librdkafka's mock cluster in a kcat process (a real Kafka-protocol broker on loopback
 * ports) for benchmarks and scripts; tests get the one Jest's global setup started instead
 * (kafkaTestBrokers()). Stop it when done, e.g. from an exit handler, or kcat outlives the process.
 */
export function startKafkaMockCluster(
  options: { brokers?: number; timeoutMs?: number } = {},
): Promise<KafkaMockCluster> {
  return loadStarter()(options);
}
