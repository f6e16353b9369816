import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createBus, type MessageBus, type Publisher } from '@pulse/bus';
import { BUS_PUBLISHER, MESSAGE_BUS } from './bus.constants';
import { BUS_MODULE_OPTIONS, ConfigurableModuleClass, type BusModuleOptions } from './bus.module-definition';

/**
 * Provides the MessageBus (`@InjectBus()`) and a Publisher (`@InjectPublisher()`).
 * `BusModule.register({ bus })` or `register({ config })`, or `registerAsync({ useFactory, inject })`;
 * `isGlobal: true` makes them available everywhere.
 */
@Module({
  providers: [
    {
      provide: MESSAGE_BUS,
      useFactory: (options: BusModuleOptions): MessageBus => options.bus ?? createBus(options.config),
      inject: [BUS_MODULE_OPTIONS],
    },
    {
      provide: BUS_PUBLISHER,
      useFactory: (bus: MessageBus): Publisher => bus.createPublisher(),
      inject: [MESSAGE_BUS],
    },
  ],
  exports: [MESSAGE_BUS, BUS_PUBLISHER],
})
export class BusModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(
    @Inject(BUS_MODULE_OPTIONS) private readonly options: BusModuleOptions,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
  ) {
    super();
  }

  /** Last of the shutdown hooks, after the transport stopped consuming: only a bus the module made is closed. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.options.bus) await this.bus.close();
  }
}

export const InjectBus = (): ParameterDecorator => Inject(MESSAGE_BUS);
export const InjectPublisher = (): ParameterDecorator => Inject(BUS_PUBLISHER);
