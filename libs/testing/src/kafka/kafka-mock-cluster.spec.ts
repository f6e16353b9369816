import { Kafka, logLevel } from 'kafkajs';
import { startKafkaMockCluster } from './kafka-mock-cluster';

describe('startKafkaMockCluster', () => {
  it('starts a cluster that answers Kafka requests, and stops it', async () => {
    const cluster = await startKafkaMockCluster({ brokers: 2 });
    expect(cluster.bootstrap).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    const admin = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      expect((await admin.describeCluster()).brokers).toHaveLength(2);
    } finally {
      await admin.disconnect();
      await cluster.stop();
    }
    expect(() => process.kill(cluster.pid, 0)).toThrow();
  });
});
