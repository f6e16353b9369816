import { nameBasedUuid } from '../prediction/name-based-uuid';
import type { EncodedMessage } from '../training-request/contract-message.reader';
import { ContractMessageReader } from '../training-request/contract-message.reader';
import { ContentTypes } from '../wire/content-type';

export const MONITORING_ALERT_KINDS = [
  'feature_drift',
  'score_drift',
  'quality_degradation',
  'data_quality',
  'latency',
  'throughput',
] as const;
export type MonitoringAlertKind = (typeof MONITORING_ALERT_KINDS)[number];
export const MONITORING_ALERT_STATES = ['firing', 'resolved'] as const;
export type MonitoringAlertState = (typeof MONITORING_ALERT_STATES)[number];
export const MONITORING_ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type MonitoringAlertSeverity = (typeof MONITORING_ALERT_SEVERITIES)[number];

/**
 * A MonitoringAlert (monitoring.alerts.v1, JSON, keyed by model) in TypeScript terms, the
 * proto's field names in camelCase, times as epoch ms. One message when an alert fires and one when
 * it resolves; `alertId` is the same for every delivery of one transition.
 */
export interface MonitoringAlertMessage {
  readonly alertId: string;
  /** The rule, e.g. feature_drift, auc_drop. */
  readonly rule: string;
  readonly kind: MonitoringAlertKind;
  readonly severity: MonitoringAlertSeverity;
  readonly state: MonitoringAlertState;
  readonly model?: string;
  readonly modelVersion?: number;
  readonly feature?: string;
  /** The monitored metric, its value and the threshold it crossed. */
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
  readonly raisedAtMs: number;
  /** The event-time window the metric was computed over. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly message: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Whether a TrainingRequest was published for this alert. */
  readonly retrainingRequested: boolean;
}

/** The namespace of alert ids (a fixed random UUID). */
export const ALERT_ID_NAMESPACE = '9c1d3f7a-2b4e-4c8d-a6f1-5e7b9d0c3a28';

/** A transition's id: the same for every delivery of it (rule, key, transition and the window it was judged on). */
export function alertId(rule: string, key: string, state: MonitoringAlertState, windowStartMs: number): string {
  return nameBasedUuid(ALERT_ID_NAMESPACE, `${rule}\u0000${key}\u0000${state}\u0000${windowStartMs}`);
}

const FIELDS: ReadonlySet<string> = new Set([
  'alertId',
  'rule',
  'kind',
  'severity',
  'state',
  'model',
  'modelVersion',
  'feature',
  'metric',
  'value',
  'threshold',
  'raisedAtMs',
  'windowStartMs',
  'windowEndMs',
  'message',
  'labels',
  'retrainingRequested',
]);
const reader = new ContractMessageReader('MonitoringAlert');

function number(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    reader.fail('invalid_value', `${field} must be a finite number`, field);
  return value as number;
}

/** Checks one parsed JSON value; throws a ContractMessageError naming the field. */
export function monitoringAlertFromJson(json: unknown): MonitoringAlertMessage {
  const c = reader.object(json, FIELDS);
  const model = reader.optionalId(c.model, 'model');
  const modelVersion = reader.optionalInt(c.modelVersion, 'modelVersion', 1);
  const feature = reader.optionalId(c.feature, 'feature');
  return {
    alertId: reader.requiredId(c.alertId, 'alertId'),
    rule: reader.requiredId(c.rule, 'rule'),
    kind: reader.enumName(c.kind, 'kind', MONITORING_ALERT_KINDS),
    severity: reader.enumName(c.severity, 'severity', MONITORING_ALERT_SEVERITIES),
    state: reader.enumName(c.state, 'state', MONITORING_ALERT_STATES),
    ...(model === undefined ? {} : { model }),
    ...(modelVersion === undefined ? {} : { modelVersion }),
    ...(feature === undefined ? {} : { feature }),
    metric: reader.requiredId(c.metric, 'metric'),
    value: number(c.value, 'value'),
    threshold: number(c.threshold, 'threshold'),
    raisedAtMs: reader.requiredTime(c.raisedAtMs, 'raisedAtMs'),
    windowStartMs: reader.requiredTime(c.windowStartMs, 'windowStartMs'),
    windowEndMs: reader.requiredTime(c.windowEndMs, 'windowEndMs'),
    message: reader.text(c.message, 'message'),
    labels: reader.stringMap(c.labels, 'labels'),
    retrainingRequested: reader.optionalBool(c.retrainingRequested, 'retrainingRequested') ?? false,
  };
}

export function decodeMonitoringAlert(value: Uint8Array): MonitoringAlertMessage {
  return monitoringAlertFromJson(reader.jsonObject(value));
}

export function encodeMonitoringAlert(msg: MonitoringAlertMessage): EncodedMessage {
  return { value: Buffer.from(JSON.stringify(msg), 'utf8'), contentType: ContentTypes.json };
}
