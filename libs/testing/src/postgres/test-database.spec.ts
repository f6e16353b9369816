import { Client } from 'pg';
import { createTestDatabase, testPostgresServerUrl } from './test-database';

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: testPostgresServerUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a usable empty database and drops it even with a connection open', async () => {
    const db = await createTestDatabase();
    expect(db.url).toMatch(new RegExp(`/${db.name}$`));
    const client = new Client({ connectionString: db.url });
    await client.connect();
    client.on('error', () => undefined); // the forced drop terminates this connection
    const { rows } = await client.query('SELECT current_database() AS name');
    expect(rows[0].name).toBe(db.name);
    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
    await client.end().catch(() => undefined);
  });
});
