// NestJS adapter for the bus: custom transport strategy and client module
export * from './bus.constants';
export * from './bus-context';
export * from './bus-exception.filter';
export * from './bus-server';
export { BUS_MODULE_OPTIONS, type BusModuleOptions } from './bus.module-definition';
export * from './bus.module';
