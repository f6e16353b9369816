import 'reflect-metadata';
import { Controller, Injectable, Module, type INestApplication, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { map, timer } from 'rxjs';
import { ConnectionError } from '@pulse/core';
import { InMemoryBus, type BusMessage, type MessageBus, type Publisher } from '@pulse/bus';
import { kafkaTestBusOptions, randomName, waitFor } from '@pulse/testing';
import { BUS_PUBLISHER, BusServer, BusContext, BusHandler, BusModule, InjectPublisher, MESSAGE_BUS } from './index';

const KAFKA_SETTINGS = 'KAFKA_TEST_SETTINGS';

/** A tiny service: a thin handler per topic hands batches to a service that forwards them to `out`. */
function makeAppModule(topics: { input: string; out: string; unfiltered: string }, busModule: DynamicModule) {
  @Injectable()
  class Recorder {
    readonly events: string[] = [];
    readonly batches: BusMessage[][] = [];
    readonly forwarded: BusMessage[] = [];
    readonly contexts: { topic: string; partition: number }[] = [];
    gate: Promise<void> = Promise.resolve();
    retriableFailures = 0;

    constructor(@InjectPublisher() private readonly publisher: Publisher) {}

    async record(batch: BusMessage[]): Promise<void> {
      this.events.push('start');
      await this.gate;
      if (this.retriableFailures > 0) {
        this.retriableFailures--;
        throw new ConnectionError('store briefly away');
      }
      await this.publisher.publish(
        topics.out,
        batch.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers, forwarded: 'yes' } })),
      );
      this.batches.push(batch);
      this.events.push('end');
    }
  }

  @Controller()
  class EventsController {
    constructor(private readonly recorder: Recorder) {}

    @BusHandler(topics.input)
    handle(@Payload() batch: BusMessage[], @Ctx() ctx: BusContext): Promise<void> {
      this.recorder.contexts.push({ topic: ctx.getTopic(), partition: ctx.getPartition() });
      return this.recorder.record(batch);
    }

    /** An Observable result is awaited to completion before the commit. */
    @BusHandler(topics.out)
    onForwarded(@Payload() batch: BusMessage[]) {
      return timer(5).pipe(
        map(() => {
          this.recorder.forwarded.push(...batch);
        }),
      );
    }

    /** Without BusExceptionFilter, Nest hides the error: the subscription fails, saying why. */
    @EventPattern(topics.unfiltered)
    unfiltered(): void {
      throw new ConnectionError('hidden by Nest');
    }
  }

  @Module({ imports: [busModule], controllers: [EventsController], providers: [Recorder] })
  class AppModule {}

  return { AppModule, Recorder };
}

async function startApp(module: ReturnType<typeof makeAppModule>, groupId: string, onError?: (e: unknown) => void) {
  const app: INestApplication = await NestFactory.create(module.AppModule, { logger: false });
  app.enableShutdownHooks();
  const server = new BusServer({
    bus: app.get<MessageBus>(MESSAGE_BUS),
    groupId,
    fromBeginning: true,
    retry: { initialDelayMs: 5 },
    onError,
  });
  app.connectMicroservice({ strategy: server });
  await app.startAllMicroservices();
  await app.init();
  return { app, server, recorder: app.get(module.Recorder) };
}

function names() {
  return { input: randomName('nest-in'), out: randomName('nest-out'), unfiltered: randomName('nest-unfiltered') };
}

describe('BusServer with the in-memory bus', () => {
  let bus: InMemoryBus;
  beforeEach(() => {
    bus = new InMemoryBus();
  });
  afterEach(() => bus.close());

  it('hands batches to the handler, awaits Observables, injects a publisher, retries retriable errors', async () => {
    const topics = names();
    const { app, server, recorder } = await startApp(
      makeAppModule(topics, BusModule.register({ bus })),
      randomName('svc'),
    );
    recorder.retriableFailures = 1;
    await bus.createPublisher().publish(topics.input, [
      { key: 'a', value: '1', headers: { h: 'x' } },
      { key: 'a', value: '2' },
    ]);
    await waitFor(() => recorder.forwarded.length === 2, { message: 'forwarded messages' });
    expect(recorder.events).toEqual(['start', 'start', 'end']);
    expect(recorder.batches).toHaveLength(1);
    expect(recorder.batches[0].map((m) => m.value.toString())).toEqual(['1', '2']);
    expect(recorder.contexts[0]).toEqual({ topic: topics.input, partition: recorder.batches[0][0].partition });
    expect(recorder.forwarded.map((m) => m.headers)).toEqual([{ h: 'x', forwarded: 'yes' }, { forwarded: 'yes' }]);
    expect(server.current?.state).toBe('running');
    expect(server.unwrap<MessageBus>()).toBe(bus);
    await waitFor(() => server.current!.lag().every((l) => l.lag === 0), { message: 'lag drained' });
    await app.close();
    expect(server.current).toBeNull();
  });

  it('closes gracefully: the batch in hand finishes and is committed before the app is closed', async () => {
    const topics = names();
    const group = randomName('svc');
    const module = makeAppModule(topics, BusModule.register({ bus }));
    const first = await startApp(module, group);
    let open!: () => void;
    first.recorder.gate = new Promise((resolve) => {
      open = resolve;
    });
    await bus.createPublisher().publish(topics.input, [{ key: 'a', value: '1' }]);
    await waitFor(() => first.recorder.events.includes('start'), { message: 'handler started' });
    const closed = first.app.close().then(() => first.recorder.events.push('closed'));
    await waitFor(() => first.server.current === null, { message: 'closing' });
    expect(first.recorder.events).toEqual(['start']);
    open();
    await closed;
    expect(first.recorder.events).toEqual(['start', 'end', 'closed']);

    // The same service restarted resumes after the committed batch.
    await bus.createPublisher().publish(topics.input, [{ key: 'a', value: 'sentinel' }]);
    const second = await startApp(module, group);
    await waitFor(() => second.recorder.batches.length > 0, { message: 'sentinel delivered' });
    expect(second.recorder.batches.flat().map((m) => m.value.toString())).toEqual(['sentinel']);
    await second.app.close();
  });

  it('fails the subscription with an explanation when Nest hides a handler error', async () => {
    const topics = names();
    const errors: unknown[] = [];
    const { app, server } = await startApp(makeAppModule(topics, BusModule.register({ bus })), randomName('svc'), (e) =>
      errors.push(e),
    );
    const subscription = server.current!;
    await bus.createPublisher().publish(topics.unfiltered, [{ key: 'a', value: '1' }]);
    const outcome = await subscription.done;
    expect(outcome.state).toBe('failed');
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/@BusHandler\(topic\) or @UseFilters\(BusExceptionFilter\)/);
    await app.close();
  });

  it('registerAsync builds the bus from injected settings and closes the bus it made', async () => {
    @Module({ providers: [{ provide: 'SETTINGS', useValue: { partitions: 2 } }], exports: ['SETTINGS'] })
    class SettingsModule {}
    const topics = names();
    const busModule = BusModule.registerAsync({
      imports: [SettingsModule],
      useFactory: (settings: { partitions: number }) => ({ config: { inMemory: { partitions: settings.partitions } } }),
      inject: ['SETTINGS'],
    });
    const { app, recorder } = await startApp(makeAppModule(topics, busModule), randomName('svc'));
    const made = app.get<MessageBus>(MESSAGE_BUS) as InMemoryBus;
    expect(made).toBeInstanceOf(InMemoryBus);
    await made.createPublisher().publish(topics.input, [{ key: 'k', value: 'v' }]);
    await waitFor(() => recorder.forwarded.length === 1, { message: 'forwarded' });
    expect(made.endOffsets(topics.input)).toHaveLength(2);
    await app.close();
    await expect(made.ping()).rejects.toThrow(/closed/);
  });
});

describe('BusServer with Kafka (mock cluster)', () => {
  it('consumes batches, commits after the handler, closes gracefully and resumes after a restart', async () => {
    @Module({
      providers: [{ provide: KAFKA_SETTINGS, useFactory: () => kafkaTestBusOptions() }],
      exports: [KAFKA_SETTINGS],
    })
    class KafkaSettingsModule {}
    const busModule = BusModule.registerAsync({
      imports: [KafkaSettingsModule],
      useFactory: ({ brokers, ...kafka }: ReturnType<typeof kafkaTestBusOptions>) => ({
        config: { brokers, kafka, logger: { log: () => undefined } },
      }),
      inject: [KAFKA_SETTINGS],
    });
    const topics = names();
    const group = randomName('svc');
    const module = makeAppModule(topics, busModule);
    const first = await startApp(module, group);
    const publisher = first.app.get<Publisher>(BUS_PUBLISHER);
    await publisher.publish(topics.input, [
      { key: 'a', value: '1', headers: { h: 'x' } },
      { key: 'a', value: '2' },
    ]);
    await waitFor(() => first.recorder.forwarded.length === 2, {
      timeoutMs: 20_000,
      message: 'forwarded through Kafka',
    });
    expect(first.recorder.batches.flat().map((m) => m.value.toString())).toEqual(['1', '2']);
    expect(first.recorder.forwarded[0].headers).toEqual({ h: 'x', forwarded: 'yes' });

    let open!: () => void;
    first.recorder.gate = new Promise((resolve) => {
      open = resolve;
    });
    await publisher.publish(topics.input, [{ key: 'a', value: '3' }]);
    await waitFor(() => first.recorder.events.filter((e) => e === 'start').length === 2, {
      timeoutMs: 20_000,
      message: 'second batch started',
    });
    const closed = first.app.close().then(() => first.recorder.events.push('closed'));
    await waitFor(() => first.server.current === null, { message: 'closing' });
    open();
    await closed;
    expect(first.recorder.events.slice(-3)).toEqual(['start', 'end', 'closed']);

    const second = await startApp(module, group);
    await second.app.get<Publisher>(BUS_PUBLISHER).publish(topics.input, [{ key: 'a', value: 'sentinel' }]);
    await waitFor(() => second.recorder.batches.length > 0, { timeoutMs: 20_000, message: 'sentinel delivered' });
    expect(second.recorder.batches.flat().map((m) => m.value.toString())).toEqual(['sentinel']);
    await second.app.close();
  });
});
