import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ConfigError, EnvReader } from '@pulse/core';
import { waitFor } from '@pulse/testing';
import { silentBusLogger } from '../bus-logger';
import { KafkaBus } from './kafka-bus';
import { kafkaSecurityFromEnv } from './kafka-security';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-kafka-tls-'));
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');
const notPem = path.join(dir, 'not.pem');

beforeAll(() => {
  // A self-signed certificate for localhost: the broker's, and the CA the client is told to trust.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  fs.writeFileSync(notPem, 'hello');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const security = (env: Record<string, string>) => kafkaSecurityFromEnv(new EnvReader(env));
const variableOf = (env: Record<string, string>): string | undefined => {
  try {
    security(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).variable;
  }
  return undefined;
};

describe('kafkaSecurityFromEnv', () => {
  it('is plaintext without SASL when nothing is set', () => expect(security({})).toEqual({}));
  it('turns TLS on with the system CAs', () => expect(security({ KAFKA_SSL: 'true' })).toEqual({ ssl: true }));
  it('reads the CA and client certificate files', () => {
    const s = security({ KAFKA_SSL_CA_FILE: certFile, KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile });
    expect(s.ssl).toEqual({
      ca: fs.readFileSync(certFile, 'utf8'),
      cert: fs.readFileSync(certFile, 'utf8'),
      key: fs.readFileSync(keyFile, 'utf8'),
      rejectUnauthorized: true,
    });
  });
  it('takes SASL credentials', () =>
    expect(
      security({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    }));
  it.each([
    [{ KAFKA_SSL: 'maybe' }, 'KAFKA_SSL'],
    [{ KAFKA_SSL_CA_FILE: path.join(dir, 'missing.pem') }, 'KAFKA_SSL_CA_FILE'],
    [{ KAFKA_SSL_CA_FILE: notPem }, 'KAFKA_SSL_CA_FILE'],
    [{ KAFKA_SSL_CERT_FILE: certFile }, 'KAFKA_SSL_KEY_FILE'],
    [{ KAFKA_SSL_KEY_FILE: keyFile }, 'KAFKA_SSL_CERT_FILE'],
    [{ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: certFile }, 'KAFKA_SSL'],
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD'],
    [{ KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_USERNAME'],
  ])('refuses %j, naming %s', (env, variable) => expect(variableOf(env)).toBe(variable));
});

describe('KafkaBus over TLS', () => {
  /** A TLS listener with the self-signed certificate: counts handshakes that completed and that failed. */
  async function tlsBroker() {
    const seen = { secure: 0, failed: 0 };
    const server = tls.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (socket) => {
      seen.secure++;
      socket.on('error', () => undefined);
      socket.destroy();
    });
    server.on('tlsClientError', () => seen.failed++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { seen, port: (server.address() as AddressInfo).port, close: () => server.close() };
  }

  async function connectOnce(port: number, env: Record<string, string>): Promise<void> {
    const bus = new KafkaBus({
      brokers: [`localhost:${port}`],
      retries: 0,
      connectionTimeoutMs: 2000,
      security: security(env),
      logLevel: 'error',
      logger: silentBusLogger,
    });
    await bus.connectPublisher().catch(() => undefined);
    await bus.close().catch(() => undefined);
  }

  it('handshakes with the broker using the configured CA, and fails without it', async () => {
    const broker = await tlsBroker();
    try {
      await connectOnce(broker.port, {
        KAFKA_SSL_CA_FILE: certFile,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      });
      await waitFor(() => broker.seen.secure > 0, { timeoutMs: 10_000, message: 'a TLS handshake trusting the CA' });
      const before = broker.seen.failed;
      // With the system CAs only, the self-signed broker is refused by the client.
      await connectOnce(broker.port, { KAFKA_SSL: 'true' });
      await waitFor(() => broker.seen.failed > before, { timeoutMs: 10_000, message: 'a refused handshake' });
    } finally {
      broker.close();
    }
  });
});
