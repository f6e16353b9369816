// The platform's typed client: publish engagement events and subscribe to a model's predictions over Kafka
export * from './connection/client-connection';
export * from './producer/event-id';
export * from './producer/invalid-event.error';
export * from './producer/pulse-producer';
export * from './subscriber/pulse-subscriber';
