// NestJS adapters shared by services: config module, metrics endpoint, health indicators
