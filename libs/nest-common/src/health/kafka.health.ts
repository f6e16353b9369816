import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { probeHealth, type ProbeOptions } from './health-probe';

/**
 * Resolves when the bus is reachable and rejects (with a reason) when not; e.g.
 * `() => admin.describeCluster()` for kafkajs, or the bus library's own health call.
 */
export type BusProbe = () => Promise<unknown>;

/** Kafka is up when the bus's probe resolves in time. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  pingCheck(key: string, probe: BusProbe, options?: ProbeOptions): Promise<HealthIndicatorResult> {
    return probeHealth(this.indicators, key, probe, options);
  }
}
