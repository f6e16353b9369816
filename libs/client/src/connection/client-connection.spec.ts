import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@pulse/core';
import { resolveConnection } from './client-connection';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-client-tls-'));
const caFile = path.join(dir, 'ca.pem');
// Only read and handed to kafkajs here, never used for a handshake: the PEM framing is what is checked.
fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function variableOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).variable;
  }
  return undefined;
}

describe('resolveConnection', () => {
  it('reads the brokers, client id and plaintext from the environment the services use', () => {
    expect(resolveConnection({ env: { KAFKA_BROKERS: 'k1:9092, k2:9092', KAFKA_CLIENT_ID: 'lms' } })).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      clientId: 'lms',
      security: {},
    });
    expect(resolveConnection({ env: { KAFKA_BROKERS: 'k1:9092' } }).clientId).toBe('pulse-client');
  });

  it('lets options win over the environment', () => {
    const resolved = resolveConnection({
      brokers: ['mine:9093'],
      clientId: 'app',
      env: { KAFKA_BROKERS: 'k1:9092', KAFKA_CLIENT_ID: 'lms', KAFKA_SSL: 'true' },
      ssl: false,
    });
    expect(resolved).toMatchObject({ brokers: ['mine:9093'], clientId: 'app', security: {} });
  });

  it('needs brokers from one of the two, and says which variable to set', () => {
    expect(variableOf(() => resolveConnection({ env: {} }))).toBe('KAFKA_BROKERS');
    expect(() => resolveConnection({ env: {} })).toThrow(/KAFKA_BROKERS is not set/);
    expect(() => resolveConnection({ brokers: [], env: {} })).toThrow(/brokers must be a non-empty list of host:port/);
    expect(() => resolveConnection({ brokers: ['no-port'], env: {} })).toThrow(/brokers must be a non-empty list/);
  });

  it('reads TLS and SASL from the KAFKA_SSL* and KAFKA_SASL_* variables', () => {
    const resolved = resolveConnection({
      env: {
        KAFKA_BROKERS: 'k:9093',
        KAFKA_SSL_CA_FILE: caFile,
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'lms',
        KAFKA_SASL_PASSWORD: 'secret',
      },
    });
    expect(resolved.security).toEqual({
      ssl: { ca: fs.readFileSync(caFile, 'utf8'), cert: undefined, key: undefined, rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'lms', password: 'secret' },
    });
    expect(resolveConnection({ env: { KAFKA_BROKERS: 'k:9093', KAFKA_SSL: 'yes' } }).security).toEqual({ ssl: true });
  });

  it('takes explicit TLS and SASL, and then does not read (or trip over) their variables', () => {
    const sasl = { mechanism: 'plain', username: 'u', password: 'p' } as const;
    const resolved = resolveConnection({
      brokers: ['k:9093'],
      ssl: true,
      sasl,
      env: { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SSL: 'maybe' },
    });
    expect(resolved.security).toEqual({ ssl: true, sasl });
  });

  it('names a malformed variable', () => {
    expect(variableOf(() => resolveConnection({ env: { KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'gssapi' } }))).toBe(
      'KAFKA_SASL_MECHANISM',
    );
    expect(variableOf(() => resolveConnection({ env: { KAFKA_BROKERS: 'k:1', KAFKA_SSL: 'maybe' } }))).toBe(
      'KAFKA_SSL',
    );
    expect(
      variableOf(() =>
        resolveConnection({ env: { KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' } }),
      ),
    ).toBe('KAFKA_SASL_USERNAME');
  });
});
