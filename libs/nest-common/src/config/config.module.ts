import { ConfigurableModuleBuilder, Inject, Module } from '@nestjs/common';
import { EnvReader } from '@pulse/core';

type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigModuleOptions {
  /**
   * Reads and validates the service's settings. Throw a ConfigError (EnvReader does for a missing
   * or malformed variable) and the application stops at startup with a message naming the variable.
   */
  readonly load: (env: EnvReader) => unknown;
  /** Variables to read. Default: process.env. */
  readonly env?: Env;
}

/** Injection token of the loaded configuration object; see InjectConfig. */
export const PULSE_CONFIG = Symbol('PULSE_CONFIG');

/** Injects the loaded configuration: `constructor(@InjectConfig() config: FeatureServiceConfig)`. */
export const InjectConfig = (): ParameterDecorator => Inject(PULSE_CONFIG);

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<ConfigModuleOptions>()
  .setClassMethodName('register')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Runs the loader once and freezes the result, so no code path can see settings change after startup. */
export function loadConfig<T>(options: { load: (env: EnvReader) => T; env?: Env }): T {
  return deepFreeze(options.load(new EnvReader(options.env ?? process.env)));
}

/**
 * Configuration read once, at startup, from the environment. `register({ load })` or
 * `registerAsync({ useFactory, inject })` (the loader itself coming from DI); global by default.
 */
@Module({
  providers: [
    {
      provide: PULSE_CONFIG,
      useFactory: (options: ConfigModuleOptions) => loadConfig(options),
      inject: [MODULE_OPTIONS_TOKEN],
    },
  ],
  exports: [PULSE_CONFIG],
})
export class ConfigModule extends ConfigurableModuleClass {}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
