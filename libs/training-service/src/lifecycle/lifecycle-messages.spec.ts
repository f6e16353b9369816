import { decodeModelLifecycle } from '@pulse/contracts';
import type { TrainingJob } from '@pulse/storage';
import { jobLifecycleMessage, lifecycleMessageOf, lifecycleRecord } from './lifecycle-messages';

// Every message the service publishes must pass the contract's own decoder (what consumers run).
const roundTrip = (message: Parameters<typeof lifecycleRecord>[0]) => {
  const record = lifecycleRecord(message);
  return { record, decoded: decodeModelLifecycle(record.value as Buffer, record.headers!['content-type']) };
};

describe('models.lifecycle.v1 messages', () => {
  it('carries a registration with its metrics, digest, features, job and view versions, keyed by model', () => {
    const { record, decoded } = roundTrip(
      lifecycleMessageOf(
        {
          type: 'registered',
          eventId: 'e-1',
          model: 'lesson_completion',
          version: 3,
          occurredAt: '2024-05-01T00:00:00.000Z',
          gatesPassed: false,
          metrics: { auc: 0.81, logloss: 0.5 },
          onnxSha256: 'a'.repeat(64),
          featureNames: ['f1', 'f2'],
          trainingJobId: 'job-1',
          trainingRequestId: 'req-1',
        },
        { learner_behaviour: 1 },
      ),
    );
    expect(record.key).toBe('lesson_completion');
    expect(record.headers).toEqual({ 'content-type': 'application/x-protobuf' });
    expect(decoded).toMatchObject({
      type: 'registered',
      version: 3,
      occurredAtMs: Date.parse('2024-05-01T00:00:00Z'),
      jobId: 'job-1',
      trainingRequestId: 'req-1',
      metrics: { auc: 0.81, logloss: 0.5 },
      artifactSha256: 'a'.repeat(64),
      featureNames: ['f1', 'f2'],
      featureViewVersions: { learner_behaviour: 1 },
      gatesPassed: false,
    });
  });

  it('carries an alias move and a deletion, with the actor and the reason', () => {
    const move = {
      type: 'alias_moved' as const,
      eventId: 'e-2',
      model: 'dropout_risk',
      alias: 'champion',
      fromVersion: null,
      toVersion: 2,
      actor: 'ana',
      reason: 'first champion',
      occurredAt: '2024-05-01T00:00:00.000Z',
      version: 2,
    };
    expect(roundTrip(lifecycleMessageOf(move)).decoded).toMatchObject({
      type: 'alias_moved',
      alias: 'champion',
      toVersion: 2,
      version: 2,
      actor: 'ana',
      message: 'first champion',
    });
    const deleted = roundTrip(lifecycleMessageOf({ ...move, fromVersion: 2, toVersion: null, version: null })).decoded;
    expect(deleted).toMatchObject({ fromVersion: 2, version: 0 });
    expect(deleted.toVersion).toBeUndefined();
  });

  it('carries training_started and training_failed of a job', () => {
    const job = {
      id: 'job-9',
      model: 'lesson_completion',
      requestId: 'req-9',
      requestedBy: 'scheduler',
    } as TrainingJob;
    expect(roundTrip(jobLifecycleMessage(job, 'training_failed', 'too few rows')).decoded).toMatchObject({
      type: 'training_failed',
      version: 0,
      jobId: 'job-9',
      trainingRequestId: 'req-9',
      actor: 'scheduler',
      message: 'too few rows',
    });
  });
});
