import { ContractMessageError, encodePrediction, predictionId, type PredictionMessage } from '@pulse/contracts';
import { kafkaTestBrokers, randomName, waitFor } from '@pulse/testing';
import { produceRaw } from '../testing/raw-topic';
import {
  PulseSubscriber,
  subscribePredictions,
  type PredictionRecord,
  type PulseSubscriberOptions,
} from './pulse-subscriber';

const T0 = Date.UTC(2024, 4, 1, 12);
const MODEL = 'lesson_completion';

function prediction(entityId: string, trigger: string, extra: Partial<PredictionMessage> = {}): PredictionMessage {
  return {
    predictionId: predictionId(MODEL, trigger, 'champion'),
    model: MODEL,
    modelVersion: 2,
    alias: 'champion',
    variant: 'champion',
    shadow: false,
    entityId,
    triggerEventId: trigger,
    contentId: 'lesson-42',
    asOfMs: T0,
    predictedAtMs: T0 + 20,
    score: 0.31,
    label: 'false',
    classProbabilities: { true: 0.31, false: 0.69 },
    riskTier: 'high',
    riskConfidence: 0.69,
    topFactors: [{ feature: 'learner_behaviour.lesson_completion_rate', value: 0.1, contribution: -0.4 }],
    inputs: [
      { name: 'learner_behaviour.lesson_completion_rate', value: 0.1, stalenessMs: 60_000 },
      { name: 'temporal.hours_since_last_event', value: NaN, stalenessMs: null },
    ],
    fallback: false,
    latencyMs: 3.5,
    ...extra,
  };
}

const record = (p: PredictionMessage, format: 'json' | 'proto') => {
  const encoded = encodePrediction(p, format);
  return { key: p.entityId, value: encoded.value, headers: { 'content-type': encoded.contentType } };
};

describe('PulseSubscriber (mock cluster)', () => {
  const subscribers: PulseSubscriber[] = [];
  const options: PulseSubscriberOptions = {
    brokers: kafkaTestBrokers(),
    sessionTimeoutMs: 3000,
    logLevel: 'nothing',
    env: {},
  };
  const make = () => {
    const subscriber = new PulseSubscriber(options);
    subscribers.push(subscriber);
    return subscriber;
  };
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((s) => s.disconnect()));
  });

  it('hands over typed predictions decoded by their content type (JSON and protobuf)', async () => {
    const topic = randomName('client-predictions');
    const sent = [
      prediction('learner-1', 'evt-1'),
      prediction('learner-2', 'evt-2', { riskTier: 'low', score: 0.9, classProbabilities: { true: 0.9, false: 0.1 } }),
      prediction('learner-3', 'evt-3', {
        modelVersion: 0,
        alias: 'fallback',
        variant: 'fallback',
        fallback: true,
        fallbackReason: 'no champion',
        topFactors: [],
        inputs: [],
      }),
      prediction('learner-1', 'evt-4', { shadow: true, alias: 'shadow', variant: 'shadow', experimentKey: 'exp-1' }),
    ];
    await produceRaw(topic, [
      record(sent[0], 'json'),
      record(sent[1], 'proto'),
      record(sent[2], 'json'),
      record(sent[3], 'proto'),
    ]);

    const received: Array<[PredictionMessage, PredictionRecord]> = [];
    const errors: Error[] = [];
    const subscription = await make().subscribePredictions(MODEL, (p, r) => void received.push([p, r]), {
      groupId: randomName('client-group'),
      fromBeginning: true,
      topic,
      onError: (e) => errors.push(e),
    });
    expect(subscription.topic).toBe(topic);
    await waitFor(() => received.length >= 4, { timeoutMs: 20_000, message: '4 predictions' });
    expect(errors).toEqual([]);
    const byTrigger = new Map(received.map(([p]) => [p.triggerEventId, p]));
    for (const p of sent) expect(byTrigger.get(p.triggerEventId)).toEqual(p);
    expect(Number.isNaN(byTrigger.get('evt-1')!.inputs[1].value)).toBe(true);
    expect(byTrigger.get('evt-1')!.inputs[1].stalenessMs).toBeNull();
    for (const [p, r] of received) {
      expect(r.topic).toBe(topic);
      expect(r.key).toBe(p.entityId);
    }
  });

  it('reports a garbage record to onError and still delivers the next one', async () => {
    const topic = randomName('client-garbage');
    const key = 'learner-7'; // one key: one partition, so the order below is the order of delivery
    const broken = { ...prediction(key, 'evt-x'), riskConfidence: 2 };
    await produceRaw(topic, [
      { key, value: 'not a prediction', headers: { 'content-type': 'application/json' } },
      { key, value: Buffer.from([0x0a, 0x09, 0x65]), headers: { 'content-type': 'application/x-protobuf' } },
      record(broken, 'json'),
      record(prediction(key, 'evt-ok'), 'proto'),
    ]);
    const events: string[] = [];
    const errors: Array<[Error, PredictionRecord]> = [];
    await make().subscribePredictions(MODEL, (p) => void events.push(`prediction ${p.triggerEventId}`), {
      groupId: randomName('client-group'),
      fromBeginning: true,
      topic,
      onError: (e, r) => {
        errors.push([e, r]);
        events.push(`error at ${r.offset}`);
      },
    });
    await waitFor(() => events.length >= 4, { timeoutMs: 20_000, message: '3 errors and a prediction' });
    expect(events).toEqual(['error at 0', 'error at 1', 'error at 2', 'prediction evt-ok']);
    expect(errors.map(([e]) => e)).toEqual([
      expect.any(ContractMessageError),
      expect.any(ContractMessageError),
      expect.any(ContractMessageError),
    ]);
    expect(errors.map(([e]) => (e as ContractMessageError).reason)).toEqual([
      'undecodable',
      'undecodable',
      'invalid_value',
    ]);
    expect((errors[2][0] as ContractMessageError).field).toBe('riskConfidence');
    expect(errors[2][1]).toMatchObject({ topic, key, offset: '2' });
  });

  it('stops cleanly: nothing more is handed over, and the group resumes after what was handled', async () => {
    const topic = randomName('client-stop');
    const groupId = randomName('client-group');
    await produceRaw(topic, [record(prediction('learner-1', 'evt-1'), 'proto')]);
    const first: string[] = [];
    const subscription = await subscribePredictions(MODEL, (p) => void first.push(p.triggerEventId!), {
      ...options,
      groupId,
      fromBeginning: true,
      topic,
    });
    await waitFor(() => first.length === 1, { timeoutMs: 20_000, message: 'the first prediction' });
    await subscription.stop();
    await subscription.stop(); // twice is harmless

    await produceRaw(topic, [record(prediction('learner-1', 'evt-2'), 'json')]);
    const second: string[] = [];
    await make().subscribePredictions(MODEL, (p) => void second.push(p.triggerEventId!), {
      groupId,
      fromBeginning: true,
      topic,
    });
    await waitFor(() => second.length === 1, { timeoutMs: 20_000, message: 'the prediction published after stop' });
    expect(first).toEqual(['evt-1']);
    expect(second).toEqual(['evt-2']);
  });

  it('hands a prediction whose handler threw over again, then goes on', async () => {
    const topic = randomName('client-retry');
    await produceRaw(topic, [
      record(prediction('learner-5', 'evt-1'), 'proto'),
      record(prediction('learner-5', 'evt-2'), 'json'),
    ]);
    const calls: string[] = [];
    await make().subscribePredictions(
      MODEL,
      (p) => {
        calls.push(p.triggerEventId!);
        if (calls.length === 1) throw new Error('the database was away');
      },
      { groupId: randomName('client-group'), fromBeginning: true, topic },
    );
    await waitFor(() => calls.includes('evt-2'), { timeoutMs: 20_000, message: 'the second prediction' });
    expect(calls).toEqual(['evt-1', 'evt-1', 'evt-2']);
  });

  it('refuses bad arguments, naming them', async () => {
    const subscriber = make();
    await expect(subscriber.subscribePredictions('a/b', () => undefined, { groupId: 'g' })).rejects.toThrow(
      /^model must be a model name/,
    );
    await expect(subscriber.subscribePredictions(MODEL, () => undefined, { groupId: '' })).rejects.toThrow(
      'options.groupId must be a non-empty string',
    );
    await subscriber.disconnect();
    await expect(subscriber.subscribePredictions(MODEL, () => undefined, { groupId: 'g' })).rejects.toThrow(
      'PulseSubscriber is disconnected',
    );
  });
});
