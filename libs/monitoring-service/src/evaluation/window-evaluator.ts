import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { alertId, type MonitoringAlertKind, type TrainingRequestMessage } from '@pulse/contracts';
import { nameBasedUuid } from '@pulse/contracts';
import { WakeableLoop } from '@pulse/core';
import { DEFAULT_MODELS, type ModelSpec } from '@pulse/models';
import { DriftWindow, windowDrift, type WindowDrift } from '@pulse/drift';
import {
  ALERT_RULES,
  INITIAL_ALERT_STATE,
  isSignificantDrift,
  PSI_MAJOR_SHIFT,
  RETRAINING_KINDS,
  significantPsiThreshold,
  nextAlertState,
  windowEstimatedAuc,
  windowLabel,
  windowQuality,
  windowStart,
  type AlertObservation,
  type AlertRuleOptions,
  type FeatureDrift,
  type WindowQuality,
  type WindowSnapshot,
} from '@pulse/monitoring';
import type { MonitoringServiceMetrics } from '../app/monitoring-service.metrics';
import { MS_CONFIG, MS_INFRASTRUCTURE, MS_METRICS } from '../app/tokens';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';
import { AlertRelay } from './alert-relay';
import { ReferenceCache, SCORE_FEATURE } from './reference-cache';

// Retraining requests' ids, from the alert's: a redelivered alert asks once.
const REQUEST_NAMESPACE = '5b7f0e12-6a3d-4f28-9c41-d2e8a7b3c605';

export interface FeatureDriftView extends Omit<WindowDrift, 'rows' | 'decision'> {
  readonly test: string;
  readonly score: number;
  readonly threshold: number;
  readonly rows: number;
  /** Whether it counts toward the feature_drift alert, and the PSI it had to pass for that. */
  readonly significant: boolean;
  readonly significantPsi: number;
}

/** One window of one model as the API shows it. */
export interface WindowView {
  readonly window: string;
  readonly start: string;
  readonly end: string;
  /** Complete: predictions newer than its end have arrived. */
  readonly closed: boolean;
  /** Every prediction's label has matured (the end plus the label horizon is behind the outcome watermark). */
  readonly labelsFinal: boolean;
  readonly version: number;
  readonly predictions: number;
  readonly labelled: number;
  readonly quality: WindowQuality | null;
  readonly estimatedAuc: number | null;
  readonly trainingAuc: number | null;
  readonly fallbackShare: number | null;
  /** Features Evidently's default tests call drifted. */
  readonly driftedFeatures: number;
  /** Features whose drift counts toward the feature_drift alert. */
  readonly significantFeatures: number;
  readonly drift: Readonly<Record<string, FeatureDriftView>>;
}

export interface ModelMonitoringView {
  readonly model: string;
  readonly version: number | null;
  readonly latestPredictionAt: string | null;
  /** Per window size, the end of the newest closed window this copy's alert rules have judged. */
  readonly evaluatedUntil: Readonly<Record<string, string>>;
  readonly windows: readonly WindowView[];
}

/**
 * Every MONITORING_EVALUATE_MS: each watched model's newest closed window per size — drift per
 * feature against the serving version's reference, realised quality on matured labels, the CBPE
 * estimate, fallback share — into gauges, through the alert rules (state kept in Postgres: one
 * firing per episode, hysteresis, cooldown), and, for drift and quality alerts, a retraining request.
 */
@Injectable()
export class WindowEvaluator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WindowEvaluator');
  private readonly loop: WakeableLoop;
  /** Per window size, the end of the newest closed window of the last evaluation. */
  private readonly newestEnd = new Map<number, number>();
  /** Per model and window size, the end of the newest closed window judged. */
  private readonly judgedUntil = new Map<string, Map<number, number>>();
  private readonly startedAt = Date.now();

  constructor(
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
    @Inject(MS_METRICS) private readonly metrics: MonitoringServiceMetrics,
    private readonly references: ReferenceCache,
    private readonly relay: AlertRelay,
  ) {
    this.loop = new WakeableLoop(() => this.evaluateAll(), config.evaluateMs);
    // Counters exist at 0 from the start, so a rate over the first transition or label is not lost.
    for (const model of config.models) {
      for (const label of ['0', '1']) metrics.labels.inc({ model, label }, 0);
      for (const rule of ALERT_RULES) {
        for (const transition of ['fired', 'resolved']) metrics.alerts.inc({ rule: rule.name, model, transition }, 0);
        metrics.alertsFiring.set({ rule: rule.name, model }, 0);
      }
    }
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  async evaluateAll(): Promise<void> {
    for (const model of this.config.models) {
      try {
        const view = await this.view(model, { closedOnly: true });
        for (const w of view.windows) await this.judge(model, w);
        await this.refreshFiringGauge(model);
        const judged = this.judgedUntil.get(model) ?? new Map<number, number>();
        for (const w of view.windows)
          if (!this.isOlderLabelledWindow(w)) {
            const sizeMs = Date.parse(w.end) - Date.parse(w.start);
            judged.set(sizeMs, Math.max(judged.get(sizeMs) ?? -Infinity, Date.parse(w.end)));
          }
        this.judgedUntil.set(model, judged);
      } catch (err) {
        this.log.warn(`evaluating ${model} failed; retrying: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The model's newest closed window per size, and (unless closedOnly) the current one. */
  async view(model: string, options: { closedOnly?: boolean } = {}): Promise<ModelMonitoringView> {
    const latest = await this.infra.monitoring.latest(model);
    const evaluatedUntil = Object.fromEntries(
      [...(this.judgedUntil.get(model) ?? new Map<number, number>())].map(([size, end]) => [
        windowLabel(size),
        new Date(end).toISOString(),
      ]),
    );
    if (latest === null) return { model, version: null, latestPredictionAt: null, evaluatedUntil, windows: [] };
    const windows: WindowView[] = [];
    const horizonMs = horizonOf(model);
    const outcomeWatermark = await this.infra.monitoring.outcomeWatermark({
      idleMs: this.config.idlePartitionMs,
      idleFromMs: this.startedAt + this.config.idlePartitionMs,
    });
    for (const windowMs of this.config.windowsMs) {
      const current = windowStart(latest.asOfMs, windowMs);
      const closed = current - windowMs;
      this.newestEnd.set(windowMs, current);
      // The newest window whose labels are all final, for the realised quality (often days behind).
      const labelled =
        outcomeWatermark === null || horizonMs === null
          ? null
          : Math.min(closed, windowStart(outcomeWatermark - horizonMs, windowMs) - windowMs);
      const final = (start: number) => labelled !== null && start <= labelled;
      windows.push(await this.window(model, latest.modelVersion, windowMs, closed, true, final(closed)));
      if (labelled !== null && labelled < closed)
        windows.push(await this.window(model, latest.modelVersion, windowMs, labelled, true, true));
      if (!options.closedOnly)
        windows.push(await this.window(model, latest.modelVersion, windowMs, current, false, false));
    }
    return {
      model,
      version: latest.modelVersion,
      latestPredictionAt: new Date(latest.asOfMs).toISOString(),
      evaluatedUntil,
      windows,
    };
  }

  private async window(
    model: string,
    version: number,
    windowMs: number,
    startMs: number,
    closed: boolean,
    labelsFinal: boolean,
  ): Promise<WindowView> {
    const ref = await this.references.get(model, version);
    const rows = (await this.infra.monitoring.windowRows(model, startMs, startMs + windowMs)).filter(
      (r) => r.modelVersion === version || r.fallback,
    );
    const served = rows.filter((r) => !r.fallback);
    const labelled = served.filter((r) => r.label !== null);
    const attributes = ref?.fairnessAttributes ?? [];
    const quality =
      labelled.length > 0
        ? windowQuality(
            labelled.map((r) => ({
              score: r.score,
              label: r.label as 0 | 1,
              entityId: r.entityId,
              ...(r.profile ? { groups: r.profile } : {}),
            })),
            attributes,
          )
        : null;
    const drift: Record<string, FeatureDriftView> = {};
    const calibrated = ref?.calibration?.windowMs === windowMs;
    const overrides = specOf(model)?.monitoring;
    const floor = overrides?.significantPsi ?? PSI_MAJOR_SHIFT;
    if (ref && ref.profiles.size > 0)
      for (const stored of await this.infra.monitoring.driftWindows(model, version, windowMs, startMs)) {
        const profile = ref.profiles.get(stored.feature);
        if (!profile || profile.key !== stored.profileKey || stored.total === 0) continue;
        const w = DriftWindow.fromState(profile, {
          profileKey: stored.profileKey,
          counts: [...stored.counts],
          total: stored.total,
          missing: stored.missing,
          underflowSum: stored.underflowSum,
          overflowSum: stored.overflowSum,
        });
        const d = windowDrift(w, { thresholds: overrides?.driftThresholds });
        const { rows: counted, decision, ...rest } = d;
        const spread = calibrated
          ? stored.feature === SCORE_FEATURE
            ? ref.calibration!.score
            : ref.calibration!.psi[stored.feature]
          : null;
        drift[stored.feature] = {
          ...rest,
          test: decision.test,
          score: decision.score,
          threshold: decision.threshold,
          rows: counted.current,
          significant: isSignificantDrift(d, spread, calibrated, floor),
          significantPsi: calibrated ? significantPsiThreshold(spread, floor) : floor,
        };
      }
    return {
      window: windowLabel(windowMs),
      start: new Date(startMs).toISOString(),
      end: new Date(startMs + windowMs).toISOString(),
      closed,
      labelsFinal,
      version,
      predictions: rows.length,
      labelled: labelled.length,
      quality,
      estimatedAuc: windowEstimatedAuc(served.map((r) => r.score)),
      trainingAuc: ref?.trainingAuc ?? null,
      fallbackShare: rows.length > 0 ? rows.filter((r) => r.fallback).length / rows.length : null,
      driftedFeatures: Object.values(drift).filter((d) => d.drifted).length,
      significantFeatures: Object.values(drift).filter((d) => d.significant).length,
      drift,
    };
  }

  /** Gauges, then every rule's observation through the stored alert state. */
  private async judge(model: string, w: WindowView): Promise<void> {
    const version = String(w.version);
    const labels = { model, version, window: w.window };
    for (const [feature, d] of Object.entries(w.drift))
      for (const [metric, value] of [
        ['psi', d.psi],
        ['js', d.js],
        ['ks', d.ks?.statistic],
        ['wasserstein', d.wasserstein],
        ['chi2', d.chi2.statistic],
      ] as const)
        if (value !== undefined && Number.isFinite(value))
          this.metrics.drift.set({ ...labels, feature, metric }, value);
    if (w.labelsFinal && w.quality?.auc != null) this.metrics.auc.set({ ...labels, kind: 'realised' }, w.quality.auc);
    if (w.estimatedAuc !== null && !this.isOlderLabelledWindow(w))
      this.metrics.auc.set({ ...labels, kind: 'estimated' }, w.estimatedAuc);
    if (w.trainingAuc !== null) this.metrics.auc.set({ ...labels, kind: 'training' }, w.trainingAuc);
    for (const f of w.labelsFinal ? (w.quality?.fairness ?? []) : []) {
      if (f.demographicParityDifference !== null)
        this.metrics.fairnessGap.set(
          { ...labels, attribute: f.attribute, metric: 'demographic_parity' },
          f.demographicParityDifference,
        );
      if (f.equalizedOddsDifference !== null)
        this.metrics.fairnessGap.set(
          { ...labels, attribute: f.attribute, metric: 'equalized_odds' },
          f.equalizedOddsDifference,
        );
    }

    const windowMs = Date.parse(w.end) - Date.parse(w.start);
    const windowStartMs = Date.parse(w.start);
    const snapshot: WindowSnapshot = {
      model,
      version: w.version,
      windowMs,
      windowStartMs,
      predictions: w.predictions,
      drift: Object.entries(w.drift).map(([feature, d]): FeatureDrift => ({
        feature,
        psi: d.psi,
        drifted: d.drifted,
        significant: d.significant,
      })),
      quality: w.quality,
      estimatedAuc: w.estimatedAuc,
      trainingAuc: w.trainingAuc,
      fallbackShare: w.fallbackShare,
      fairnessMax: (await this.references.get(model, w.version))?.fairnessMax ?? null,
    };
    let published = false;
    // The newest closed window is judged by the rules on it; a window with final labels by the quality rules.
    const newest = w.closed && !(w.labelsFinal && w.predictions > 0 && this.isOlderLabelledWindow(w));
    for (const rule of ALERT_RULES) {
      if ((rule.judges === 'labelled') !== w.labelsFinal) continue;
      if (rule.judges === 'newest' && !newest) continue;
      const observation = rule.observe(snapshot, this.rulesFor(model));
      if (observation === null) continue;
      published = (await this.apply(observation, snapshot)) || published;
    }
    if (published) this.relay.wake();
  }

  /** The service's rule options with the model spec's own overrides. */
  private rulesFor(model: string): AlertRuleOptions {
    const m = specOf(model)?.monitoring;
    return {
      ...this.config.rules,
      ...(m?.driftMinFeatures === undefined ? {} : { driftMinFeatures: m.driftMinFeatures }),
      ...(m?.aucDropRatio === undefined ? {} : { aucDropRatio: m.aucDropRatio }),
    };
  }

  /** A labelled window older than the newest closed one (judged for quality only). */
  private isOlderLabelledWindow(w: WindowView): boolean {
    const sizeMs = Date.parse(w.end) - Date.parse(w.start);
    return Date.parse(w.end) + sizeMs <= (this.newestEnd.get(sizeMs) ?? -Infinity);
  }

  /** pulse_monitoring_alerts_firing from the stored state, so every copy reports every alert alike. */
  private async refreshFiringGauge(model: string): Promise<void> {
    const firing = new Map<string, boolean>();
    for (const a of await this.infra.monitoring.alerts())
      if (a.model === model) firing.set(a.rule, (firing.get(a.rule) ?? false) || a.firing);
    for (const [rule, on] of firing) this.metrics.alertsFiring.set({ rule, model }, on ? 1 : 0);
  }

  private async apply(o: AlertObservation, w: WindowSnapshot): Promise<boolean> {
    const nowMs = Date.now();
    let transition: 'fired' | 'resolved' | null = null;
    let retrained = false;
    const changed = await this.infra.monitoring.updateAlert(
      o.rule,
      o.key,
      (current, history) => {
        const state = current
          ? { firing: current.firing, firedAtMs: current.firedAtMs, quietUntilMs: current.quietUntilMs }
          : INITIAL_ALERT_STATE;
        const next = nextAlertState(state, o, nowMs, this.config.alertCooldownMs);
        transition = next.transition;
        const alert = {
          rule: o.rule,
          key: o.key,
          model: o.model,
          kind: o.kind,
          firing: next.state.firing,
          firedAtMs: next.state.firedAtMs,
          quietUntilMs: next.state.quietUntilMs,
          value: o.value,
          threshold: o.threshold,
          message: o.message,
        };
        if (next.transition === null) return { alert, messages: [] };
        const state2 = next.transition === 'fired' ? 'firing' : 'resolved';
        const id = alertId(o.rule, o.key, state2, w.windowStartMs);
        const retrain =
          this.config.retrain &&
          next.transition === 'fired' &&
          RETRAINING_KINDS.has(o.kind) &&
          (history.lastTrainingRequestMs === null ||
            nowMs - history.lastTrainingRequestMs >= this.config.retrainCooldownMs);
        retrained = retrain;
        const messages: Record<string, unknown>[] = [
          {
            topic: 'alerts',
            key: o.model,
            message: {
              alertId: id,
              rule: o.rule,
              kind: alertKindOf(o),
              severity: o.kind === 'operational' ? 'critical' : 'warning',
              state: state2,
              model: o.model,
              modelVersion: w.version,
              metric: o.rule,
              value: o.value,
              threshold: o.threshold,
              raisedAtMs: nowMs,
              windowStartMs: w.windowStartMs,
              windowEndMs: w.windowStartMs + w.windowMs,
              message: o.message,
              labels: { window: windowLabel(w.windowMs) },
              retrainingRequested: retrain,
            },
          },
        ];
        if (retrain) {
          const request: TrainingRequestMessage = {
            requestId: nameBasedUuid(REQUEST_NAMESPACE, id),
            model: o.model,
            trigger: o.kind === 'drift' ? 'drift' : 'quality_degradation',
            reason: o.message,
            requestedAtMs: nowMs,
            ...retrainingSpan(w.windowStartMs + w.windowMs, this.config.retrainAfterMs, this.config.retrainWindowMs),
            parameters: {},
            requestedBy: 'monitoring-service',
            alertId: id,
          };
          messages.push({ topic: 'training', key: o.model, message: request });
        }
        return { alert, messages };
      },
      { model: o.model },
    );
    if (transition) {
      this.metrics.alerts.inc({ rule: o.rule, model: o.model, transition });
      this.metrics.alertsFiring.set({ rule: o.rule, model: o.model }, transition === 'fired' ? 1 : 0);
      if (retrained) this.metrics.trainingRequests.inc({ model: o.model, rule: o.rule });
    }
    return changed;
  }
}

/** trainUntilMs after the window (when asked to wait for data), and trainFromMs a window before it. */
function retrainingSpan(
  windowEndMs: number,
  afterMs: number,
  spanMs: number,
): { trainUntilMs?: number; trainFromMs?: number } {
  const untilMs = afterMs > 0 ? windowEndMs + afterMs : undefined;
  if (spanMs <= 0) return untilMs === undefined ? {} : { trainUntilMs: untilMs };
  return {
    trainFromMs: (untilMs ?? windowEndMs) - spanMs,
    ...(untilMs === undefined ? {} : { trainUntilMs: untilMs }),
  };
}

function specOf(model: string): ModelSpec | undefined {
  return (DEFAULT_MODELS as Record<string, ModelSpec>)[model];
}

/** The label horizon of the model's spec (null for labels that do not mature here). */
function horizonOf(model: string): number | null {
  const spec = specOf(model);
  return spec?.label.kind === 'eventWithin' ? spec.horizonMs : null;
}

function alertKindOf(o: AlertObservation): MonitoringAlertKind {
  if (o.kind === 'drift') return 'feature_drift';
  if (o.kind === 'quality' || o.kind === 'fairness') return 'quality_degradation';
  return 'data_quality';
}

export { SCORE_FEATURE };
