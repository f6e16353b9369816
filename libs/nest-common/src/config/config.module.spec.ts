import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, type EnvReader } from '@pulse/core';
import { ConfigModule, InjectConfig, loadConfig } from './config.module';

interface AppConfig {
  databaseUrl: string;
  batchSize: number;
  features: { lateness: number };
}

let loads = 0;
function load(env: EnvReader): AppConfig {
  loads++;
  return {
    databaseUrl: env.string('DATABASE_URL'),
    batchSize: env.int('BATCH_SIZE', 500, 1, 10_000),
    features: { lateness: env.int('LATENESS_MS', 60_000, 0) },
  };
}

@Injectable()
class UsesConfig {
  constructor(@InjectConfig() readonly config: AppConfig) {}
}

@Module({ providers: [UsesConfig], exports: [UsesConfig] })
class FeatureModule {}

/** Boots a Nest application context the way main.ts would, but throwing instead of exiting. */
async function boot(config: DynamicModule) {
  @Module({ imports: [config, FeatureModule] })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

describe('ConfigModule', () => {
  beforeEach(() => {
    loads = 0;
  });

  it('loads once and injects the same frozen object everywhere, also in other modules', async () => {
    const ctx = await boot(
      ConfigModule.register({ load, env: { DATABASE_URL: 'postgres://db/pulse', BATCH_SIZE: '250' } }),
    );
    const { config } = ctx.get(UsesConfig);
    await ctx.close();
    expect(config).toEqual({ databaseUrl: 'postgres://db/pulse', batchSize: 250, features: { lateness: 60_000 } });
    expect(Object.isFrozen(config.features)).toBe(true);
    expect(loads).toBe(1);
  });

  it('refuses to start without a required variable, naming it', async () => {
    await expect(boot(ConfigModule.register({ load, env: {} }))).rejects.toThrow(ConfigError);
    await expect(boot(ConfigModule.register({ load, env: {} }))).rejects.toThrow(
      'missing required environment variable DATABASE_URL',
    );
  });

  it('refuses a malformed value, naming the variable', async () => {
    await expect(boot(ConfigModule.register({ load, env: { DATABASE_URL: 'x', BATCH_SIZE: 'lots' } }))).rejects.toThrow(
      'BATCH_SIZE must be an integer in [1, 10000], got "lots"',
    );
  });

  it('takes its options from a factory with registerAsync', async () => {
    const ctx = await boot(
      ConfigModule.registerAsync({ useFactory: async () => ({ load, env: { DATABASE_URL: 'postgres://async/db' } }) }),
    );
    expect(ctx.get(UsesConfig).config.databaseUrl).toBe('postgres://async/db');
    await ctx.close();
  });
});

describe('loadConfig', () => {
  it('reads process.env by default', () => {
    process.env.PULSE_SPEC_VALUE = 'from-env';
    try {
      expect(loadConfig({ load: (env) => env.string('PULSE_SPEC_VALUE') })).toBe('from-env');
    } finally {
      delete process.env.PULSE_SPEC_VALUE;
    }
  });
});
