module.exports = async function globalTeardown() {
  const cluster = globalThis.__pulseKafkaCluster;
  if (cluster) await cluster.stop();
};
