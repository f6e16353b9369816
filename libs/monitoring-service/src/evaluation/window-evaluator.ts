import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { alertId, type MonitoringAlertKind, type TrainingRequestMessage } from '@pulse/contracts';
import { nameBasedUuid } from '@pulse/contracts';
import { WakeableLoop } from '@pulse/core';
import { DriftWindow, windowDrift, type WindowDrift } from '@pulse/drift';
import {
  ALERT_RULES,
  INITIAL_ALERT_STATE,
  nextAlertState,
  windowEstimatedAuc,
  windowLabel,
  windowQuality,
  windowStart,
  type AlertObservation,
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
}

/** One window of one model as the API shows it. */
export interface WindowView {
  readonly window: string;
  readonly start: string;
  readonly end: string;
  /** Complete: predictions newer than its end have arrived. */
  readonly closed: boolean;
  readonly version: number;
  readonly predictions: number;
  readonly labelled: number;
  readonly quality: WindowQuality | null;
  readonly estimatedAuc: number | null;
  readonly trainingAuc: number | null;
  readonly fallbackShare: number | null;
  readonly driftedFeatures: number;
  readonly drift: Readonly<Record<string, FeatureDriftView>>;
}

export interface ModelMonitoringView {
  readonly model: string;
  readonly version: number | null;
  readonly latestPredictionAt: string | null;
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

  constructor(
    @Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure,
    @Inject(MS_CONFIG) private readonly config: MonitoringServiceConfig,
    @Inject(MS_METRICS) private readonly metrics: MonitoringServiceMetrics,
    private readonly references: ReferenceCache,
    private readonly relay: AlertRelay,
  ) {
    this.loop = new WakeableLoop(() => this.evaluateAll(), config.evaluateMs);
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
      } catch (err) {
        this.log.warn(`evaluating ${model} failed; retrying: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The model's newest closed window per size, and (unless closedOnly) the current one. */
  async view(model: string, options: { closedOnly?: boolean } = {}): Promise<ModelMonitoringView> {
    const latest = await this.infra.monitoring.latest(model);
    if (latest === null) return { model, version: null, latestPredictionAt: null, windows: [] };
    const windows: WindowView[] = [];
    for (const windowMs of this.config.windowsMs) {
      const current = windowStart(latest.asOfMs, windowMs);
      windows.push(await this.window(model, latest.modelVersion, windowMs, current - windowMs, true));
      if (!options.closedOnly) windows.push(await this.window(model, latest.modelVersion, windowMs, current, false));
    }
    return {
      model,
      version: latest.modelVersion,
      latestPredictionAt: new Date(latest.asOfMs).toISOString(),
      windows,
    };
  }

  private async window(
    model: string,
    version: number,
    windowMs: number,
    startMs: number,
    closed: boolean,
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
              ...(r.profile ? { groups: r.profile } : {}),
            })),
            attributes,
          )
        : null;
    const drift: Record<string, FeatureDriftView> = {};
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
        const d = windowDrift(w);
        const { rows: counted, decision, ...rest } = d;
        drift[stored.feature] = {
          ...rest,
          test: decision.test,
          score: decision.score,
          threshold: decision.threshold,
          rows: counted.current,
        };
      }
    return {
      window: windowLabel(windowMs),
      start: new Date(startMs).toISOString(),
      end: new Date(startMs + windowMs).toISOString(),
      closed,
      version,
      predictions: rows.length,
      labelled: labelled.length,
      quality,
      estimatedAuc: windowEstimatedAuc(served.map((r) => r.score)),
      trainingAuc: ref?.trainingAuc ?? null,
      fallbackShare: rows.length > 0 ? rows.filter((r) => r.fallback).length / rows.length : null,
      driftedFeatures: Object.values(drift).filter((d) => d.drifted).length,
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
    if (w.quality?.auc != null) this.metrics.auc.set({ ...labels, kind: 'realised' }, w.quality.auc);
    if (w.estimatedAuc !== null) this.metrics.auc.set({ ...labels, kind: 'estimated' }, w.estimatedAuc);
    if (w.trainingAuc !== null) this.metrics.auc.set({ ...labels, kind: 'training' }, w.trainingAuc);
    for (const f of w.quality?.fairness ?? []) {
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
      drift: Object.entries(w.drift).map(([feature, d]): FeatureDrift => ({ feature, psi: d.psi, drifted: d.drifted })),
      quality: w.quality,
      estimatedAuc: w.estimatedAuc,
      trainingAuc: w.trainingAuc,
      fallbackShare: w.fallbackShare,
      fairnessMax: (await this.references.get(model, w.version))?.fairnessMax ?? null,
    };
    let published = false;
    for (const rule of ALERT_RULES) {
      const observation = rule.observe(snapshot, this.config.rules);
      if (observation === null) continue;
      published = (await this.apply(observation, snapshot)) || published;
    }
    if (published) this.relay.wake();
  }

  private async apply(o: AlertObservation, w: WindowSnapshot): Promise<boolean> {
    const nowMs = Date.now();
    let transition: 'fired' | 'resolved' | null = null;
    const changed = await this.infra.monitoring.updateAlert(o.rule, o.key, (current) => {
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
      const retrain = this.config.retrain && next.transition === 'fired' && o.kind !== 'operational';
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
          parameters: {},
          requestedBy: 'monitoring-service',
          alertId: id,
        };
        messages.push({ topic: 'training', key: o.model, message: request });
      }
      return { alert, messages };
    });
    if (transition) {
      this.metrics.alerts.inc({ rule: o.rule, model: o.model, transition });
      this.metrics.alertsFiring.set({ rule: o.rule, model: o.model }, transition === 'fired' ? 1 : 0);
      if (transition === 'fired' && this.config.retrain && o.kind !== 'operational')
        this.metrics.trainingRequests.inc({ model: o.model, rule: o.rule });
    }
    return changed;
  }
}

function alertKindOf(o: AlertObservation): MonitoringAlertKind {
  if (o.kind === 'drift') return 'feature_drift';
  if (o.kind === 'quality') return 'quality_degradation';
  return 'data_quality';
}

export { SCORE_FEATURE };
