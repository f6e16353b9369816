// Starts librdkafka's mock cluster inside a kcat process (see shared notes on the Kafka test broker):
// a real Kafka-protocol broker on loopback ports, without Docker. Plain JS so Jest's global setup
// and the benchmarks can load it without a transform.
const { spawn } = require('node:child_process');
const net = require('node:net');

function portOpen(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * @param {{ brokers?: number, timeoutMs?: number }} [options]
 * @returns {Promise<{ bootstrap: string, pid: number, stop: () => Promise<void> }>}
 */
async function startKafkaMockCluster(options = {}) {
  const brokers = options.brokers ?? 3;
  const timeoutMs = options.timeoutMs ?? 15000;
  const child = spawn(
    'kcat',
    [
      '-b',
      '127.0.0.1:1',
      '-X',
      `test.mock.num.brokers=${brokers}`,
      '-C',
      '-G',
      '__pulse_keepalive',
      '__pulse_keepalive',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const bootstrap = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`kcat mock cluster did not report its brokers within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new Error(
          `cannot start kcat (${err.message}); run \`npm test\`, whose pretest installs it, or apt-get install -y kcat`,
        ),
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited early with code ${code}: ${buffered.slice(-500)}`));
    });
    child.stderr.on('data', (chunk) => {
      buffered += chunk.toString();
      const match = /replaced with ([0-9.:,]+)/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(match[1]);
      }
      if (buffered.length > 65536) buffered = buffered.slice(-4096);
    });
  });
  child.stderr.resume();
  const deadline = Date.now() + timeoutMs;
  for (const hostPort of bootstrap.split(',')) {
    const [host, port] = hostPort.split(':');
    while (!(await portOpen(host, Number(port)))) {
      if (Date.now() > deadline) throw new Error(`mock broker ${hostPort} never accepted a connection`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // The timer also keeps the event loop alive until kcat is gone: without a live handle Node would
      // end the process (with status 0) before Jest, after its global teardown, sets the run's status.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { bootstrap, pid: child.pid, stop };
}

module.exports = { startKafkaMockCluster };
