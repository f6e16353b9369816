// One mock Kafka cluster for the whole Jest run; tests isolate themselves with random topic and group
// names. Workers inherit PULSE_TEST_KAFKA_BROKERS from this process's environment.
const { startKafkaMockCluster } = require('./kafka-mock-cluster');

module.exports = async function globalSetup() {
  if (process.env.PULSE_TEST_KAFKA_BROKERS) return;
  const cluster = await startKafkaMockCluster();
  process.env.PULSE_TEST_KAFKA_BROKERS = cluster.bootstrap;
  globalThis.__pulseKafkaCluster = cluster;
  const kill = () => {
    try {
      process.kill(cluster.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', kill);
};
