import {
  Controller,
  Get,
  HttpCode,
  Module,
  NotFoundException,
  Param,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import request from 'supertest';
import { MetricsModule } from './metrics.module';

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException('no such thing');
    return { id };
  }

  @Post()
  @HttpCode(201)
  create() {
    return { ok: true };
  }
}

type Adapter = 'express' | 'fastify';

async function app(
  options: Parameters<typeof MetricsModule.register>[0],
  adapter: Adapter = 'express',
): Promise<INestApplication> {
  @Module({ imports: [MetricsModule.register(options)], controllers: [ThingsController] })
  class AppModule {}
  const settings = { logger: false as const, abortOnError: false };
  const nest =
    adapter === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), settings)
      : await NestFactory.create(AppModule, settings);
  await nest.init();
  if (adapter === 'fastify') await (nest.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return nest;
}

function sample(text: string, line: RegExp): number | undefined {
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(' ').pop());
}

describe('MetricsModule', () => {
  let nest: INestApplication;
  afterEach(() => nest?.close());

  it('serves the registry in the Prometheus text format with process metrics', async () => {
    nest = await app({});
    const res = await request(nest.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;/);
    expect(res.headers['content-type']).toContain('version=0.0.4');
    expect(res.text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(res.text).toContain('nodejs_heap_size_used_bytes');
  });

  it('exposes a registry given from outside, so code outside Nest can record into it', async () => {
    const registry = new Registry();
    nest = await app({ registry, defaultMetrics: false });
    expect(nest.get(Registry)).toBe(registry);
    const text = (await request(nest.getHttpServer()).get('/metrics').expect(200)).text;
    expect(text).not.toContain('process_cpu_seconds_total');
  });

  it.each<Adapter>(['express', 'fastify'])(
    'times requests by method, route pattern and the status actually sent (%s)',
    async (adapter) => {
      nest = await app({ defaultMetrics: false }, adapter);
      const http = request(nest.getHttpServer());
      await http.get('/v1/things/a').expect(200);
      await http.get('/v1/things/b').expect(200);
      await http.get('/v1/things/missing').expect(404);
      await http.post('/v1/things').expect(201);
      const text = (await http.get('/metrics').expect(200)).text;
      const count = (labels: string) =>
        sample(text, new RegExp(`^pulse_http_request_duration_seconds_count\\{${labels}\\}`));
      expect(count('method="GET",route="/v1/things/:id",status="200"')).toBe(2);
      expect(count('method="GET",route="/v1/things/:id",status="404"')).toBe(1);
      expect(count('method="POST",route="/v1/things",status="201"')).toBe(1);
      // Raw URLs never become labels; a request no route matched is not timed.
      await http.get('/nowhere').expect(404);
      const after = (await http.get('/metrics').expect(200)).text;
      expect(after).not.toContain('/v1/things/a"');
      expect(after).not.toContain('nowhere');
      expect(
        sample(after, /^pulse_http_request_duration_seconds_count\{method="GET",route="\/metrics",status="200"\}/),
      ).toBe(1);
    },
  );

  it.each<Adapter>(['express', 'fastify'])('can leave HTTP timing off (%s)', async (adapter) => {
    nest = await app({ defaultMetrics: false, httpMetrics: false }, adapter);
    await request(nest.getHttpServer()).get('/v1/things/a').expect(200);
    const text = (await request(nest.getHttpServer()).get('/metrics').expect(200)).text;
    expect(text).not.toMatch(/^pulse_http_request_duration_seconds_count/m);
  });
});
