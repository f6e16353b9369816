/** Injection token of the MessageBus. */
export const MESSAGE_BUS = 'PULSE_MESSAGE_BUS';
/** Injection token of a Publisher on that bus. */
export const BUS_PUBLISHER = 'PULSE_BUS_PUBLISHER';
/** Transport id of BusServer, for `@EventPattern(topic, BUS_TRANSPORT)` in apps with several transports. */
export const BUS_TRANSPORT = Symbol('PULSE_BUS_TRANSPORT');
