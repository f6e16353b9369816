import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@pulse/core';
import { FeatureReader } from '@pulse/features';
import { loadConfig, startSharedInfrastructure, type SharedInfrastructure } from '@pulse/nest-common';
import { createTestDatabase, randomName, type TestDatabase } from '@pulse/testing';
import { FS_CONFIG, INFRASTRUCTURE } from '../app/tokens';
import { loadFeatureServiceConfig, type FeatureServiceConfig } from '../config/feature-service.config';
import type { Infrastructure } from '../infrastructure/infrastructure';
import { FeatureServiceModule } from './feature-service.module';

// registerAsync's options come from another module's provider; the connections are a host's (shared),
// which the service uses and leaves open when it closes.
const SETTINGS = Symbol('SETTINGS');

describe('FeatureServiceModule.registerAsync', () => {
  let db: TestDatabase;
  let shared: SharedInfrastructure;
  let config: FeatureServiceConfig;

  beforeAll(async () => {
    db = await createTestDatabase('pulse_fs_module');
    config = loadConfig({
      load: loadFeatureServiceConfig,
      env: { DATABASE_URL: db.url, SIMULATOR: 'false', ENGAGEMENT_TOPIC: randomName('events') },
    });
    shared = await startSharedInfrastructure(config);
  });
  afterAll(async () => {
    await shared?.close();
    await db?.drop();
  });

  function settingsModule(value: FeatureServiceConfig) {
    @Module({ providers: [{ provide: SETTINGS, useValue: value }], exports: [SETTINGS] })
    class SettingsModule {}
    return SettingsModule;
  }

  it('builds the service from injected options on the shared connections, and leaves them open on close', async () => {
    const app = await NestFactory.createApplicationContext(
      FeatureServiceModule.registerAsync({
        imports: [settingsModule(config)],
        inject: [SETTINGS],
        useFactory: (c: FeatureServiceConfig) => ({ config: c, shared }),
        eventsTopic: config.topics.events,
      }),
      { logger: false },
    );
    expect(app.get(FS_CONFIG)).toBe(config);
    const infra = app.get<Infrastructure>(INFRASTRUCTURE);
    expect(infra.bus).toBe(shared.bus);
    expect(infra.dataSource).toBe(shared.storage.dataSource);
    const reads = await app.get(FeatureReader).read(['nobody'], Date.now());
    expect(reads.map((r) => [r.path, r.watermark])).toEqual([['offline', null]]);
    await app.close();
    // Still the host's to use and close.
    expect(shared.storage.dataSource.isInitialized).toBe(true);
    await expect(shared.storage.eventLog.count()).resolves.toBe(0);
  });

  it('refuses options whose ENGAGEMENT_TOPIC is not the topic the module was defined to consume', async () => {
    const started = NestFactory.createApplicationContext(
      FeatureServiceModule.registerAsync({
        imports: [settingsModule(config)],
        inject: [SETTINGS],
        useFactory: (c: FeatureServiceConfig) => ({ config: c, shared }),
      }),
      { logger: false, abortOnError: false },
    );
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/ENGAGEMENT_TOPIC/);
  });
});
