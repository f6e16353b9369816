import fs from 'node:fs';
import { ConfigError, EnvReader } from '@pulse/core';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** TLS and SASL settings of the connection to the brokers, in kafkajs's shape. */
export interface KafkaSecurity {
  /** true: TLS with the system's CAs; an object: TLS with these PEM contents. Absent: plaintext. */
  readonly ssl?:
    | true
    | { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly rejectUnauthorized: boolean };
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
}

/**
 * Reads the TLS/SASL settings every service shares: KAFKA_SSL (default false; implied by any of the
 * files), KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE with KAFKA_SSL_KEY_FILE (PEM, read once here),
 * KAFKA_SSL_REJECT_UNAUTHORIZED (default true), and KAFKA_SASL_MECHANISM (plain, scram-sha-256,
 * scram-sha-512) with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. A wrong value is a ConfigError
 * naming its variable.
 */
export function kafkaSecurityFromEnv(read: EnvReader = new EnvReader()): KafkaSecurity {
  const ca = readPem(read, 'KAFKA_SSL_CA_FILE');
  const cert = readPem(read, 'KAFKA_SSL_CERT_FILE');
  const key = readPem(read, 'KAFKA_SSL_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
    throw new ConfigError(
      missing,
      `${missing} is required with ${missing === 'KAFKA_SSL_CERT_FILE' ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE'} (a client certificate needs its key)`,
    );
  }
  const files = ca !== undefined || cert !== undefined;
  const sslOn = read.bool('KAFKA_SSL', files);
  if (!sslOn && files) {
    throw new ConfigError(
      'KAFKA_SSL',
      'KAFKA_SSL is false but TLS files (KAFKA_SSL_CA_FILE / KAFKA_SSL_CERT_FILE) are set',
    );
  }
  const rejectUnauthorized = read.bool('KAFKA_SSL_REJECT_UNAUTHORIZED', true);
  const ssl: KafkaSecurity['ssl'] = !sslOn
    ? undefined
    : files || !rejectUnauthorized
      ? { ca, cert, key, rejectUnauthorized }
      : true;
  return { ...(ssl ? { ssl } : {}), ...saslFromEnv(read) };
}

function saslFromEnv(read: EnvReader): Pick<KafkaSecurity, 'sasl'> {
  const raw = read.optionalString('KAFKA_SASL_MECHANISM');
  if (raw === undefined) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
      if (read.optionalString(name) !== undefined)
        throw new ConfigError(name, `${name} is set but KAFKA_SASL_MECHANISM is not`);
    }
    return {};
  }
  const mechanism = raw.toLowerCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) {
    throw new ConfigError(
      'KAFKA_SASL_MECHANISM',
      `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${raw}"`,
    );
  }
  return {
    sasl: { mechanism, username: read.string('KAFKA_SASL_USERNAME'), password: read.string('KAFKA_SASL_PASSWORD') },
  };
}

function readPem(read: EnvReader, variable: string): string | undefined {
  const file = read.optionalString(variable);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      variable,
      `${variable}: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(variable, `${variable}: "${file}" is not a PEM file`);
  return text;
}
