import { randomUUID } from 'node:crypto';
import {
  CONTENT_TYPE_HEADER,
  decodeDeadLetter,
  encodeTrainingRequest,
  type TrainingRequestMessage,
} from '@pulse/contracts';
import { DEAD_LETTER_REASON_HEADER } from '@pulse/storage';
import { waitFor } from '@pulse/testing';
import { call, directContentSha256, metricValue, TrainingServiceHarness } from './training-service.harness';

// training.requests.v1 end to end against the Kafka mock cluster: a request becomes one job however
// often it is delivered, a request the service cannot take goes to the DLQ with its reason, and a
// version trained from Kafka has the contents of one trained over HTTP or by runTrainingJob directly.
const harness = new TrainingServiceHarness();
let url: string;
let metrics: Awaited<ReturnType<TrainingServiceHarness['start']>>['registry'];
const MODEL = 'lesson_completion';

beforeAll(async () => {
  await harness.setUp({ learners: 300, days: 30, seed: 1 });
  ({ url, registry: metrics } = await harness.start());
}, 120_000);
afterAll(() => harness.tearDown());

function request(overrides: Partial<TrainingRequestMessage> = {}): TrainingRequestMessage {
  return {
    requestId: `kafka-${randomUUID()}`,
    model: MODEL,
    trigger: 'schedule',
    reason: 'nightly',
    requestedAtMs: Date.now(),
    parameters: {},
    requestedBy: 'scheduler',
    ...overrides,
  };
}

async function send(messages: { key: string | null; value: Buffer; contentType?: string }[]): Promise<void> {
  await harness.bus.createPublisher().publish(
    harness.topics.requests,
    messages.map((m) => ({
      key: m.key,
      value: m.value,
      ...(m.contentType ? { headers: { [CONTENT_TYPE_HEADER]: m.contentType } } : {}),
    })),
  );
}

describe('training-service on training.requests.v1', () => {
  it('gives a version the same contents from Kafka, from HTTP and from runTrainingJob on the same data', async () => {
    const direct = await directContentSha256(harness.db!.url, MODEL);
    expect(direct).toMatch(/^[0-9a-f]{64}$/);

    const viaHttp = await call(`${url}/v1/training-jobs`, 'POST', { body: { model: MODEL } });
    expect(viaHttp.status).toBe(202);
    const httpJob = await harness.finished(viaHttp.body.id);

    // Sent three times (a producer retrying, a redelivery): one job.
    const message = request();
    const encoded = encodeTrainingRequest(message);
    await send([1, 2, 3].map(() => ({ key: MODEL, value: encoded.value, contentType: encoded.contentType })));
    const kafkaJob = await waitFor(() => harness.registry.getJobByRequest(message.requestId), {
      timeoutMs: 30_000,
      message: 'the job of the Kafka request',
    });
    const finished = await harness.finished(kafkaJob.id);
    expect(finished).toMatchObject({ trigger: 'schedule', requestedBy: 'scheduler', reason: 'nightly' });

    const [fromHttp, fromKafka] = await Promise.all([
      harness.registry.getVersion(MODEL, httpJob.version!),
      harness.registry.getVersion(MODEL, finished.version!),
    ]);
    expect(fromHttp.contentSha256).toBe(direct);
    expect(fromKafka.contentSha256).toBe(direct);
    expect(fromKafka.onnxSha256).toBe(fromHttp.onnxSha256);
    expect(fromKafka.createdBy).toBe('scheduler');

    // The JSON form of a request, seen again later: still that one job.
    const json = encodeTrainingRequest(message, 'json');
    await send([{ key: MODEL, value: json.value, contentType: json.contentType }]);
    const marker = request();
    const markerEncoded = encodeTrainingRequest(marker);
    await send([{ key: MODEL, value: markerEncoded.value, contentType: markerEncoded.contentType }]);
    // Requests of a partition are taken in order: once the marker's job exists, the repeat was seen.
    await waitFor(() => harness.registry.getJobByRequest(marker.requestId), { timeoutMs: 30_000, message: 'marker' });
    const jobs = await harness.registry.listJobs({ model: MODEL, limit: 1000 });
    expect(jobs.filter((j) => j.requestId === message.requestId)).toHaveLength(1);
  });

  it('dead-letters a request for an unknown model and an undecodable one, with the reason, and queues nothing', async () => {
    const unknown = request({ model: 'churn_risk' });
    const encoded = encodeTrainingRequest(unknown, 'json');
    await send([
      { key: 'churn_risk', value: encoded.value, contentType: encoded.contentType },
      { key: null, value: Buffer.from([0xff, 0x01, 0x02]), contentType: 'application/x-protobuf' },
    ]);
    const letters = await waitFor(() => (harness.dlqMessages.length >= 2 ? harness.dlqMessages : null), {
      timeoutMs: 30_000,
      message: 'two dead letters',
    });
    const decoded = letters.map((m) => ({
      header: m.headers[DEAD_LETTER_REASON_HEADER],
      letter: decodeDeadLetter(m.value),
    }));
    const unknownLetter = decoded.find((d) => d.letter.reason === 'unknown_model')!;
    expect(unknownLetter.header).toBe('unknown_model');
    expect(unknownLetter.letter).toMatchObject({
      field: 'model',
      service: 'training-service',
      sourceTopic: harness.topics.requests,
      sourceKey: 'churn_risk',
      message: expect.stringContaining('churn_risk'),
    });
    expect(Buffer.from(unknownLetter.letter.original).equals(encoded.value)).toBe(true);
    expect(decoded.find((d) => d.letter.reason === 'undecodable')?.header).toBe('undecodable');
    expect(await harness.registry.getJobByRequest(unknown.requestId)).toBeNull();
    expect(await metricValue(metrics, 'pulse_training_requests_dead_lettered_total', { reason: 'unknown_model' })).toBe(
      1,
    );
    expect(await metricValue(metrics, 'pulse_training_requests_dead_lettered_total', { reason: 'undecodable' })).toBe(
      1,
    );
  });
});
