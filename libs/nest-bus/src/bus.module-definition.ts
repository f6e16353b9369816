import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { BusConfig, MessageBus } from '@pulse/bus';

/** Give either a bus to share (not closed by the module) or a config to create one (closed on shutdown). */
export interface BusModuleOptions {
  bus?: MessageBus;
  config?: BusConfig;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: BUS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<BusModuleOptions>()
  .setClassMethodName('register')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
