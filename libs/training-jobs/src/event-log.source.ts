import type { EngagementEvent } from '@pulse/contracts';
import type { EventLogRepository } from '@pulse/storage';
import type { EventStream } from '@pulse/training';
import type { DataSource } from 'typeorm';

/** Where a training run reads its events: a fresh pass over them, grouped by entity, and the newest event time. */
export interface TrainingEventSource {
  readonly description: string;
  readonly watermarkMs: number;
  events(): EventStream;
}

/**
 * The event log as a training source, frozen at its current watermark: events logged while the run
 * replays (newer ones) are left out, so the run sees one consistent log.
 */
export async function eventLogSource(
  dataSource: DataSource,
  eventLog: EventLogRepository,
): Promise<TrainingEventSource> {
  const [row]: { watermark: string | null }[] = await dataSource.query(
    'SELECT max(event_time_ms) AS watermark FROM event_log',
  );
  const watermarkMs = row?.watermark === null || row?.watermark === undefined ? -Infinity : Number(row.watermark);
  return {
    description: 'event log',
    watermarkMs,
    events: () => (Number.isFinite(watermarkMs) ? eventLog.pagesForEntities({ untilMs: watermarkMs }) : []),
  };
}

/** Events already in memory (e.g. read from an exported JSON-lines file), grouped by entity. */
export function memorySource(
  description: string,
  events: readonly EngagementEvent[],
  watermarkMs: number,
): TrainingEventSource {
  return { description, watermarkMs, events: () => events };
}
