import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { probeHealth, type ProbeOptions } from './health-probe';

/** An ioredis client, or anything else that answers PING. */
export interface Pingable {
  ping(): Promise<unknown>;
}

/** Redis is up when PING answers PONG in time. */
@Injectable()
export class RedisHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  pingCheck(key: string, client: Pingable, options?: ProbeOptions): Promise<HealthIndicatorResult> {
    return probeHealth(
      this.indicators,
      key,
      async () => {
        const reply = await client.ping();
        if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(reply)}`);
      },
      options,
    );
  }
}
