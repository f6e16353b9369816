// Entry of a training worker thread (see trainingWorkerEntry): trains one job and reports back.
// Loaded any other way (a barrel, a test) it does nothing.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createDataSource } from '@pulse/storage';
import type { DataSource } from 'typeorm';
import { DbBridgeClient } from './db-bridge';
import { executeTrainingJob } from './execute-training-job';
import { TRAINING_WORKER_KIND, type TrainingWorkerData, type WorkerMessage } from './worker-protocol';

if (!isMainThread && parentPort !== null && (workerData as TrainingWorkerData)?.kind === TRAINING_WORKER_KIND) {
  void runWorker(parentPort, workerData as TrainingWorkerData);
}

async function runWorker(port: MessagePort, data: TrainingWorkerData): Promise<void> {
  const send = (message: WorkerMessage) => port.postMessage(message);
  let own: DataSource | undefined;
  try {
    let dataSource: DataSource;
    if (data.database.kind === 'url') {
      // Its own small pool: the event pages are read while the previous one is replayed.
      own = createDataSource({ url: data.database.url, poolSize: 2, applicationName: 'pulse-training-worker' });
      await own.initialize();
      dataSource = own;
    } else {
      const bridge = new DbBridgeClient(port);
      port.on('message', (message) => bridge.receive(message));
      // Only query and transaction are used by the repositories a run makes (see DbBridgeClient).
      dataSource = bridge.dataSource() as unknown as DataSource;
    }
    let last = 0;
    let phase = '';
    const summary = await executeTrainingJob(dataSource, data.job, {
      codeVersion: data.codeVersion,
      onProgress: (p) => {
        // A new phase always; progress within a phase at most every 100 ms.
        const now = Date.now();
        if (p.phase === phase && now - last < 100) return;
        last = now;
        phase = p.phase;
        send({ type: 'progress', phase: p.phase, progress: p.progress, message: p.message });
      },
    });
    send({ type: 'done', summary });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    send({ type: 'failed', name: error.name, message: error.message });
  } finally {
    await own?.destroy().catch(() => undefined);
  }
}
