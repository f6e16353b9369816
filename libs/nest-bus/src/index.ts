// NestJS adapter for the bus: custom transport strategy and client module
