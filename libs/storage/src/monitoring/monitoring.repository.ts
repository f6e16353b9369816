import type { DataSource, EntityManager } from 'typeorm';
import { assertInteger, assertNonEmptyString, timeCall } from '@pulse/core';
import type { StorageOpObserver } from '../event-log/event-log.repository';
import type {
  DriftWindowDelta,
  EntityProfile,
  MaturingPrediction,
  MonitoredPrediction,
  OutcomeEvent,
  PendingAlertMessage,
  StoredAlert,
  StoredDriftWindow,
  WindowRow,
} from './monitoring.types';

const DECIMAL_ID = /^[1-9][0-9]{0,18}$/;
export const OUTCOME_WATERMARK = 'outcomes';

// Adds a delta's bin counts to a window's, element by element: windows from any number of copies merge.
const UPSERT_DRIFT_SQL = `
  INSERT INTO monitoring_drift_windows (model, model_version, window_ms, window_start_ms, feature, profile_key, counts,
    total, missing, underflow_sum, overflow_sum)
  SELECT x.model, x.model_version, x.window_ms, x.window_start_ms, x.feature, x.profile_key, x.counts, x.total, x.missing,
    x.underflow_sum, x.overflow_sum
  FROM jsonb_to_recordset($1::jsonb) AS x(model text, model_version int, window_ms bigint, window_start_ms bigint,
    feature text, profile_key text, counts float8[], total bigint, missing bigint, underflow_sum float8, overflow_sum float8)
  ON CONFLICT (model, model_version, window_ms, window_start_ms, feature) DO UPDATE SET
    counts = (SELECT array_agg(a + b ORDER BY i)
              FROM unnest(monitoring_drift_windows.counts, EXCLUDED.counts) WITH ORDINALITY AS t(a, b, i)),
    total = monitoring_drift_windows.total + EXCLUDED.total,
    missing = monitoring_drift_windows.missing + EXCLUDED.missing,
    underflow_sum = monitoring_drift_windows.underflow_sum + EXCLUDED.underflow_sum,
    overflow_sum = monitoring_drift_windows.overflow_sum + EXCLUDED.overflow_sum`;

/**
 * Sums deltas of the same window (one upsert may not touch a row twice) and orders them by window,
 * so concurrent transactions lock windows in the same order.
 */
function mergeDeltas(deltas: readonly DriftWindowDelta[]): DriftWindowDelta[] {
  const byWindow = new Map<string, DriftWindowDelta>();
  for (const d of deltas) {
    const key = JSON.stringify([d.model, d.modelVersion, d.windowMs, d.windowStartMs, d.feature]);
    const seen = byWindow.get(key);
    if (seen !== undefined && seen.counts.length !== d.counts.length)
      throw new RangeError(
        `deltas of window ${key} must have as many counts, got ${seen.counts.length} and ${d.counts.length}`,
      );
    byWindow.set(
      key,
      seen === undefined
        ? d
        : {
            ...seen,
            counts: seen.counts.map((c, i) => c + d.counts[i]),
            total: seen.total + d.total,
            missing: seen.missing + d.missing,
            underflowSum: seen.underflowSum + d.underflowSum,
            overflowSum: seen.overflowSum + d.overflowSum,
          },
    );
  }
  return [...byWindow.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

export interface MonitoringRepositoryOptions {
  readonly observe?: StorageOpObserver;
}

/**
 * monitoring-service's state in Postgres. Every effect is exactly once whatever the redelivery: a
 * prediction is inserted once (its drift bins are added in the same transaction, only for new rows),
 * a label is set once (only where none is), an alert transition is written with its outbox message.
 */
export class MonitoringRepository {
  private readonly observe: StorageOpObserver | undefined;

  constructor(
    private readonly dataSource: DataSource,
    options: MonitoringRepositoryOptions = {},
  ) {
    this.observe = options.observe;
  }

  /**
   * Inserts the predictions not seen before and, in the same transaction, adds the drift bins
   * `binsOf` makes of exactly those. Returns how many were new.
   */
  recordPredictions(
    predictions: readonly MonitoredPrediction[],
    binsOf: (fresh: readonly MonitoredPrediction[]) => readonly DriftWindowDelta[],
  ): Promise<number> {
    if (predictions.length === 0) return Promise.resolve(0);
    // In id order: concurrent overlapping batches then take the rows' locks in one order (no deadlock).
    const unique = [...new Map(predictions.map((p) => [p.predictionId, p])).values()].sort((a, b) =>
      a.predictionId < b.predictionId ? -1 : a.predictionId > b.predictionId ? 1 : 0,
    );
    return this.timed('monitoring_predictions', () =>
      this.dataSource.transaction(async (tx) => {
        const inserted: { prediction_id: string }[] = await tx.query(
          `INSERT INTO monitoring_predictions (prediction_id, model, model_version, entity_id, trigger_event_id, content_id,
             channel, as_of_ms, score, fallback, matures_at_ms)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::bigint[], $9::float8[], $10::boolean[], $11::bigint[])
           ON CONFLICT (prediction_id) DO NOTHING
           RETURNING prediction_id`,
          [
            unique.map((p) => p.predictionId),
            unique.map((p) => p.model),
            unique.map((p) => p.modelVersion),
            unique.map((p) => p.entityId),
            unique.map((p) => p.triggerEventId ?? null),
            unique.map((p) => p.contentId ?? null),
            unique.map((p) => p.channel ?? null),
            unique.map((p) => p.asOfMs),
            unique.map((p) => p.score),
            unique.map((p) => p.fallback),
            unique.map((p) => p.maturesAtMs),
          ],
        );
        const fresh = new Set(inserted.map((r) => r.prediction_id));
        const deltas = binsOf(unique.filter((p) => fresh.has(p.predictionId)));
        if (deltas.length > 0) await this.addDrift(tx, deltas);
        return fresh.size;
      }),
    );
  }

  private async addDrift(tx: EntityManager, deltas: readonly DriftWindowDelta[]): Promise<void> {
    await tx.query(UPSERT_DRIFT_SQL, [
      JSON.stringify(
        mergeDeltas(deltas).map((d) => ({
          model: d.model,
          model_version: d.modelVersion,
          window_ms: d.windowMs,
          window_start_ms: d.windowStartMs,
          feature: d.feature,
          profile_key: d.profileKey,
          counts: d.counts,
          total: d.total,
          missing: d.missing,
          underflow_sum: d.underflowSum,
          overflow_sum: d.overflowSum,
        })),
      ),
    ]);
  }

  /**
   * Stores outcome events and profiles (newest wins) and moves the outcome watermark forward, in one
   * transaction: a label never matures past what was stored.
   */
  async recordOutcomes(
    events: readonly OutcomeEvent[],
    profiles: readonly EntityProfile[],
    watermarkMs: number,
    /** The source partition whose watermark this is (see outcomeWatermark); absent: one watermark for all. */
    partition?: string,
  ): Promise<void> {
    assertInteger(watermarkMs, 'watermarkMs');
    await this.timed('monitoring_outcomes', () =>
      this.dataSource.transaction(async (tx) => {
        if (events.length > 0)
          await tx.query(
            `INSERT INTO monitoring_outcome_events (entity_id, event_time_ms, event_id, event_type, channel, content_id)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
             ON CONFLICT DO NOTHING`,
            [
              events.map((e) => e.entityId),
              events.map((e) => e.eventTimeMs),
              events.map((e) => e.eventId),
              events.map((e) => e.eventType),
              events.map((e) => e.channel),
              events.map((e) => e.contentId ?? null),
            ],
          );
        const newest = new Map<string, EntityProfile>();
        for (const p of profiles) {
          const seen = newest.get(p.entityId);
          if (!seen || p.eventTimeMs >= seen.eventTimeMs) newest.set(p.entityId, p);
        }
        if (newest.size > 0)
          await tx.query(
            `INSERT INTO monitoring_profiles (entity_id, profile, event_time_ms)
             SELECT * FROM unnest($1::text[], $2::jsonb[], $3::bigint[])
             ON CONFLICT (entity_id) DO UPDATE SET profile = EXCLUDED.profile, event_time_ms = EXCLUDED.event_time_ms
             WHERE EXCLUDED.event_time_ms >= monitoring_profiles.event_time_ms`,
            [
              [...newest.keys()],
              [...newest.values()].map((p) => JSON.stringify(p.profile)),
              [...newest.values()].map((p) => p.eventTimeMs),
            ],
          );
        await tx.query(
          `INSERT INTO monitoring_watermarks (name, value_ms, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (name) DO UPDATE SET value_ms = EXCLUDED.value_ms, updated_at = now()
           WHERE EXCLUDED.value_ms > monitoring_watermarks.value_ms`,
          [partition === undefined ? OUTCOME_WATERMARK : `${OUTCOME_WATERMARK}/${partition}`, watermarkMs],
        );
      }),
    );
  }

  /**
   * The outcome watermark over partitions: the least of the partitions' watermarks, so a label never
   * matures past events a slower partition has not delivered yet. A partition that moved in the last
   * `idleMs` counts; one idle longer is left out (an idle source must not hold labels back for ever).
   * `partitions`: the ones that must have a watermark before any counts (null until they all do).
   */
  async outcomeWatermark(options: {
    idleMs: number;
    partitions?: readonly string[];
    /**
     * No partition counts as idle before this wall time: a copy that has just started (after a crash,
     * say) finds every partition unmoved for as long as it was down, while the backlog of a lagging
     * one is still to be read — taking the newest of them then would decide labels too early.
     */
    idleFromMs?: number;
  }): Promise<number | null> {
    const rows: { name: string; value_ms: string; idle: boolean }[] = await this.dataSource.query(
      `SELECT name, value_ms, updated_at < now() - ($1::float8 * interval '1 millisecond') AS idle
       FROM monitoring_watermarks WHERE name LIKE $2`,
      [options.idleMs, `${OUTCOME_WATERMARK}/%`],
    );
    if (options.partitions?.some((p) => !rows.some((r) => r.name === `${OUTCOME_WATERMARK}/${p}`))) return null;
    if (rows.length === 0) return this.watermark();
    const idleAllowed = options.idleFromMs === undefined || Date.now() >= options.idleFromMs;
    const active = idleAllowed ? rows.filter((r) => !r.idle) : rows;
    const counted = active.length > 0 ? active : rows;
    // All idle: the newest any of them reached (nothing is arriving to wait for).
    const pick = active.length > 0 ? Math.min : Math.max;
    return pick(...counted.map((r) => Number(r.value_ms)));
  }

  async watermark(name = OUTCOME_WATERMARK): Promise<number | null> {
    const rows: { value_ms: string }[] = await this.dataSource.query(
      `SELECT value_ms FROM monitoring_watermarks WHERE name = $1`,
      [name],
    );
    return rows.length === 0 ? null : Number(rows[0].value_ms);
  }

  /**
   * Labels predictions whose horizon ended at or before `watermarkMs`, at most `limit`, each exactly
   * once: rows are locked (others' claims skipped) and only unlabelled rows are updated. `label`
   * decides each one from its entity's outcome events in (as-of, matures-at].
   */
  maturePredictions(
    watermarkMs: number,
    limit: number,
    label: (p: MaturingPrediction, events: readonly OutcomeEvent[]) => 0 | 1,
  ): Promise<{ model: string; label: 0 | 1 }[]> {
    assertInteger(watermarkMs, 'watermarkMs');
    assertInteger(limit, 'limit', 1, 100_000);
    return this.timed('monitoring_mature', () =>
      this.dataSource.transaction(async (tx) => {
        const due: {
          prediction_id: string;
          model: string;
          entity_id: string;
          content_id: string | null;
          channel: string | null;
          as_of_ms: string;
          matures_at_ms: string;
        }[] = await tx.query(
          `SELECT prediction_id, model, entity_id, content_id, channel, as_of_ms, matures_at_ms FROM monitoring_predictions
           WHERE label IS NULL AND matures_at_ms <= $1 ORDER BY matures_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [watermarkMs, limit],
        );
        if (due.length === 0) return [];
        const events: {
          entity_id: string;
          event_time_ms: string;
          event_id: string;
          event_type: string;
          channel: string;
          content_id: string | null;
        }[] = await tx.query(
          `SELECT o.entity_id, o.event_time_ms, o.event_id, o.event_type, o.channel, o.content_id
           FROM monitoring_outcome_events o
           JOIN (SELECT entity_id, min(as_of_ms) AS lo, max(matures_at_ms) AS hi
                 FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS d(entity_id, as_of_ms, matures_at_ms)
                 GROUP BY entity_id) r
             ON o.entity_id = r.entity_id AND o.event_time_ms > r.lo AND o.event_time_ms <= r.hi
           ORDER BY o.entity_id, o.event_time_ms, o.event_id`,
          [due.map((d) => d.entity_id), due.map((d) => d.as_of_ms), due.map((d) => d.matures_at_ms)],
        );
        const byEntity = new Map<string, OutcomeEvent[]>();
        for (const e of events) {
          const list = byEntity.get(e.entity_id) ?? [];
          list.push({
            entityId: e.entity_id,
            eventId: e.event_id,
            eventType: e.event_type,
            eventTimeMs: Number(e.event_time_ms),
            channel: e.channel,
            ...(e.content_id === null ? {} : { contentId: e.content_id }),
          });
          byEntity.set(e.entity_id, list);
        }
        const labels = due.map((d) =>
          label(
            {
              predictionId: d.prediction_id,
              model: d.model,
              entityId: d.entity_id,
              contentId: d.content_id,
              channel: d.channel,
              asOfMs: Number(d.as_of_ms),
              maturesAtMs: Number(d.matures_at_ms),
            },
            // The query fetched each entity's union of windows: keep this prediction's own (as-of, matures-at].
            (byEntity.get(d.entity_id) ?? []).filter(
              (e) => e.eventTimeMs > Number(d.as_of_ms) && e.eventTimeMs <= Number(d.matures_at_ms),
            ),
          ),
        );
        await tx.query(
          `UPDATE monitoring_predictions p SET label = d.label, labelled_at = now()
           FROM unnest($1::text[], $2::smallint[]) AS d(prediction_id, label)
           WHERE p.prediction_id = d.prediction_id AND p.label IS NULL`,
          [due.map((d) => d.prediction_id), labels],
        );
        return due.map((d, i) => ({ model: d.model, label: labels[i] }));
      }),
    );
  }

  /** The window's predictions (as-of in [fromMs, toMs)) of `model`, with labels where matured and profiles. */
  async windowRows(model: string, fromMs: number, toMs: number): Promise<WindowRow[]> {
    assertNonEmptyString(model, 'model');
    const rows: {
      entity_id: string;
      model_version: number;
      score: number;
      label: number | null;
      fallback: boolean;
      profile: Record<string, string> | null;
    }[] = await this.timed('monitoring_window_rows', () =>
      this.dataSource.query(
        `SELECT p.entity_id, p.model_version, p.score, p.label, p.fallback, f.profile
         FROM monitoring_predictions p LEFT JOIN monitoring_profiles f ON f.entity_id = p.entity_id
         WHERE p.model = $1 AND p.as_of_ms >= $2 AND p.as_of_ms < $3`,
        [model, fromMs, toMs],
      ),
    );
    return rows.map((r) => ({
      entityId: r.entity_id,
      modelVersion: r.model_version,
      score: r.score,
      label: r.label === null ? null : (r.label as 0 | 1),
      fallback: r.fallback,
      profile: r.profile,
    }));
  }

  async driftWindows(
    model: string,
    modelVersion: number,
    windowMs: number,
    windowStartMs: number,
  ): Promise<StoredDriftWindow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT feature, profile_key, counts, total, missing, underflow_sum, overflow_sum FROM monitoring_drift_windows
       WHERE model = $1 AND model_version = $2 AND window_ms = $3 AND window_start_ms = $4 ORDER BY feature`,
      [model, modelVersion, windowMs, windowStartMs],
    );
    return rows.map((r) => ({
      model,
      modelVersion,
      windowMs,
      windowStartMs,
      feature: String(r.feature),
      profileKey: String(r.profile_key),
      counts: (r.counts as number[]).map(Number),
      total: Number(r.total),
      missing: Number(r.missing),
      underflowSum: Number(r.underflow_sum),
      overflowSum: Number(r.overflow_sum),
    }));
  }

  /** The newest served (non-fallback) prediction of `model`: its time and the version that made it. */
  async latest(model: string): Promise<{ asOfMs: number; modelVersion: number } | null> {
    const rows: { as_of_ms: string; model_version: number }[] = await this.dataSource.query(
      `SELECT as_of_ms, model_version FROM monitoring_predictions WHERE model = $1 AND NOT fallback
       ORDER BY as_of_ms DESC LIMIT 1`,
      [model],
    );
    return rows.length === 0 ? null : { asOfMs: Number(rows[0].as_of_ms), modelVersion: rows[0].model_version };
  }

  async alerts(options: { firing?: boolean } = {}): Promise<StoredAlert[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT rule, key, model, kind, firing, fired_at_ms, quiet_until_ms, value, threshold, message, updated_at
       FROM monitoring_alerts ${options.firing === undefined ? '' : 'WHERE firing = $1'} ORDER BY updated_at DESC`,
      options.firing === undefined ? [] : [options.firing],
    );
    return rows.map((r) => ({
      rule: String(r.rule),
      key: String(r.key),
      model: String(r.model),
      kind: String(r.kind),
      firing: Boolean(r.firing),
      firedAtMs: r.fired_at_ms === null ? null : Number(r.fired_at_ms),
      quietUntilMs: Number(r.quiet_until_ms),
      value: Number(r.value),
      threshold: Number(r.threshold),
      message: String(r.message),
      updatedAt: (r.updated_at as Date).toISOString(),
    }));
  }

  /**
   * Applies one alert evaluation under the alert's row lock: `decide` gets the stored alert (or null)
   * and returns the new state and, on a transition, the outbox messages announcing it.
   */
  updateAlert(
    rule: string,
    key: string,
    decide: (
      current: StoredAlert | null,
      history: { readonly lastTrainingRequestMs: number | null },
    ) => {
      readonly alert: Omit<StoredAlert, 'updatedAt'>;
      readonly messages: readonly Readonly<Record<string, unknown>>[];
    } | null,
    options: { readonly model?: string } = {},
  ): Promise<boolean> {
    return this.timed('monitoring_alert', () =>
      this.dataSource.transaction(async (tx) => {
        // With a model: its retraining decisions are taken one at a time, whatever rule asks.
        if (options.model !== undefined)
          await tx.query(`SELECT pg_advisory_xact_lock(hashtext('monitoring-retraining'), hashtext($1))`, [
            options.model,
          ]);
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [rule, key]);
        let lastTrainingRequestMs: number | null = null;
        if (options.model !== undefined) {
          const [last]: { t: string | null }[] = await tx.query(
            `SELECT max((payload->'message'->>'requestedAtMs')::bigint) AS t FROM monitoring_alert_outbox
             WHERE payload->>'topic' = 'training' AND payload->'message'->>'model' = $1`,
            [options.model],
          );
          lastTrainingRequestMs = last?.t === null || last?.t === undefined ? null : Number(last.t);
        }
        const rows: Record<string, unknown>[] = await tx.query(
          `SELECT rule, key, model, kind, firing, fired_at_ms, quiet_until_ms, value, threshold, message, updated_at
           FROM monitoring_alerts WHERE rule = $1 AND key = $2`,
          [rule, key],
        );
        const current: StoredAlert | null =
          rows.length === 0
            ? null
            : {
                rule,
                key,
                model: String(rows[0].model),
                kind: String(rows[0].kind),
                firing: Boolean(rows[0].firing),
                firedAtMs: rows[0].fired_at_ms === null ? null : Number(rows[0].fired_at_ms),
                quietUntilMs: Number(rows[0].quiet_until_ms),
                value: Number(rows[0].value),
                threshold: Number(rows[0].threshold),
                message: String(rows[0].message),
                updatedAt: (rows[0].updated_at as Date).toISOString(),
              };
        const next = decide(current, { lastTrainingRequestMs });
        if (next === null) return false;
        const a = next.alert;
        await tx.query(
          `INSERT INTO monitoring_alerts (rule, key, model, kind, firing, fired_at_ms, quiet_until_ms, value, threshold, message, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
           ON CONFLICT (rule, key) DO UPDATE SET model = EXCLUDED.model, kind = EXCLUDED.kind, firing = EXCLUDED.firing,
             fired_at_ms = EXCLUDED.fired_at_ms, quiet_until_ms = EXCLUDED.quiet_until_ms, value = EXCLUDED.value,
             threshold = EXCLUDED.threshold, message = EXCLUDED.message, updated_at = now()`,
          [rule, key, a.model, a.kind, a.firing, a.firedAtMs, a.quietUntilMs, a.value, a.threshold, a.message],
        );
        for (const m of next.messages)
          await tx.query(`INSERT INTO monitoring_alert_outbox (payload) VALUES ($1::jsonb)`, [JSON.stringify(m)]);
        return next.messages.length > 0;
      }),
    );
  }

  async pendingAlertMessages(limit = 100): Promise<PendingAlertMessage[]> {
    const rows: { id: string; payload: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT id::text AS id, payload FROM monitoring_alert_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows;
  }

  async markAlertMessagesPublished(ids: readonly string[]): Promise<void> {
    ids.forEach((id, i) => {
      if (!DECIMAL_ID.test(id)) throw new TypeError(`ids[${i}] must be an outbox id, got ${JSON.stringify(id)}`);
    });
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE monitoring_alert_outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL`,
      [ids],
    );
  }

  private timed<T>(op: string, work: () => Promise<T>): Promise<T> {
    const observe = this.observe;
    return observe === undefined ? work() : timeCall(work, (seconds, ok) => observe(op, seconds, ok));
  }
}
