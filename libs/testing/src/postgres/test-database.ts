import { Client } from 'pg';
import { randomIdentifier } from '../names/random-name';

export interface TestDatabase {
  name: string;
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** Server used by tests: PULSE_TEST_POSTGRES_URL, or the machine's Postgres (trust auth). */
export function testPostgresServerUrl(): string {
  return process.env.PULSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function withAdmin<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name; call drop() in afterAll. */
export async function createTestDatabase(prefix = 'pulse_test'): Promise<TestDatabase> {
  const serverUrl = testPostgresServerUrl();
  const name = randomIdentifier(prefix);
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
