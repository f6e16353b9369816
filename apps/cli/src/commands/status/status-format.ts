import type { AlertStatus } from './alert-status';
import { orderedAliases, type ModelStatus, type WindowQualityStatus } from './model-status';
import type { PlatformStatus, ServiceStatus } from './platform-status';
import { failingChecks } from './service-health';

/** The status as text: services, models, alerts, experiments, then what could not be read. */
export function formatPlatformStatus(status: PlatformStatus, nowMs: number = Date.now()): string {
  const sections = [
    ['SERVICES', ...table(status.services.map(serviceRow))],
    ['MODELS', ...(status.models.length > 0 ? modelLines(status.models) : ['none known'])],
    [
      status.alerts === null ? 'ALERTS  unknown' : `ALERTS  ${status.alerts.length} firing`,
      ...table((status.alerts ?? []).map((a) => alertRow(a, nowMs))),
    ],
    [
      status.experiments === null
        ? 'EXPERIMENTS  unknown'
        : `EXPERIMENTS  ${status.experiments.running} running of ${status.experiments.total}`,
    ],
  ];
  if (status.errors.length > 0) sections.push(['NOT READ', ...status.errors]);
  return sections.map((lines) => lines.join('\n')).join('\n\n');
}

function serviceRow(s: ServiceStatus): string[] {
  const lag = s.state === 'unreachable' ? '' : s.lagError ? 'lag ?' : `lag ${s.lag === null ? '–' : fmt(s.lag.total)}`;
  const shown = s.state === 'up' ? s.checks : failingChecks(s.checks);
  const checks = shown.map((c) => `${c.name} ${c.status}${c.detail ? ` (${c.detail})` : ''}`).join(', ');
  const tail = [s.error, checks, s.lagError ? `/metrics: ${s.lagError}` : undefined].filter(Boolean).join('; ');
  return [s.name, s.url, s.state, lag, tail];
}

function modelLines(models: readonly ModelStatus[]): string[] {
  const width = Math.max(...models.map((m) => m.name.length));
  return models.flatMap((m) => [
    `${m.name.padEnd(width)}  ${aliasesText(m)}`,
    `${' '.repeat(width)}  live quality: ${m.quality ? qualityText(m.quality) : m.qualityNote}`,
  ]);
}

/** Registry aliases, each with the version inference-service serves under it when that differs. */
export function aliasesText(m: Pick<ModelStatus, 'aliases' | 'served'>): string {
  if (m.aliases === null) {
    if (m.served === null) return 'aliases unknown';
    const served = orderedAliases(m.served).filter(([, v]) => v !== null);
    return served.length > 0 ? `served: ${served.map(([a, v]) => `${a} v${v}`).join(', ')}` : 'served: none';
  }
  const parts = orderedAliases(m.aliases).map(([alias, version]) => {
    const serving = m.served?.[alias];
    const differs = m.served !== null && serving !== undefined && serving !== version;
    return `${alias} v${version}${differs ? ` (inference serves ${serving === null ? 'none' : `v${serving}`})` : ''}`;
  });
  return parts.length > 0 ? parts.join(', ') : 'no aliases';
}

export function qualityText(q: WindowQualityStatus): string {
  return (
    `${q.window} window to ${isoSeconds(q.end)} (v${q.version}, ${q.predictions} predictions, ${q.labelled} labelled): ` +
    `AUC ${fmt(q.auc)}, estimated ${fmt(q.estimatedAuc)}, training ${fmt(q.trainingAuc)}; ` +
    `${q.driftedFeatures} of ${q.features} features drifted`
  );
}

function alertRow(a: AlertStatus, nowMs: number): string[] {
  const since = a.since === null ? 'since ?' : `since ${isoSeconds(a.since)} (${age(Date.parse(a.since), nowMs)} ago)`;
  return [a.rule, a.model, `${fmt(a.value)} vs ${fmt(a.threshold)}`, since, clip(a.message, MESSAGE_CHARS)];
}

// An alert's message can list dozens of features; the text keeps its start, --json all of it.
const MESSAGE_CHARS = 100;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Rows padded into columns (the last column unpadded), each row one line. */
function table(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell))
      .join('  ')
      .trimEnd(),
  );
}

/** Whole numbers as they are, others to three decimals, none as a dash. */
export function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

const isoSeconds = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

/** A duration in its largest whole unit: 45s, 12m, 5h, 3d. */
export function age(fromMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - fromMs) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
