/** A model as the registry (training-service) and the serving side (inference-service) see it. */
export interface ModelStatus {
  readonly name: string;
  /** Registry aliases → version; null when training-service could not be read. */
  readonly aliases: Readonly<Record<string, number>> | null;
  /**
   * The version inference-service serves under each alias (a null version: none, the fallback
   * answers); empty when it does not serve the model, null when it could not be read.
   */
  readonly served: Readonly<Record<string, number | null>> | null;
  /** The newest closed monitoring window's quality; null when there is none (see qualityNote). */
  readonly quality: WindowQualityStatus | null;
  /** Why quality is null: not watched, no predictions yet, or monitoring-service could not be read. */
  readonly qualityNote?: string;
}

export interface WindowQualityStatus {
  /** The window size, e.g. `1h`, `1d`. */
  readonly window: string;
  readonly start: string;
  readonly end: string;
  readonly version: number;
  readonly predictions: number;
  readonly labelled: number;
  /** Realised AUC on the window's matured labels; null without labels of both classes. */
  readonly auc: number | null;
  /** The confidence-based (CBPE) estimate from the scores alone. */
  readonly estimatedAuc: number | null;
  /** The serving version's test AUC at training. */
  readonly trainingAuc: number | null;
  readonly driftedFeatures: number;
  /** Features (and the score) the window's drift was measured on. */
  readonly features: number;
}

/** The aliases' conventional order; any other alias follows, by name. */
const ALIAS_ORDER = ['champion', 'challenger', 'shadow'];

export function orderedAliases<T>(aliases: Readonly<Record<string, T>>): [string, T][] {
  const rank = (a: string) => (ALIAS_ORDER.includes(a) ? ALIAS_ORDER.indexOf(a) : ALIAS_ORDER.length);
  return Object.entries(aliases).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** training-service's GET /v1/models: `{ models: [{ name, aliases: { alias: version } }] }`; null for another body. */
export function registryModels(body: unknown): { name: string; aliases: Record<string, number> }[] | null {
  return (
    listOf(body, 'models')?.flatMap((m) =>
      typeof m.name === 'string'
        ? [{ name: m.name, aliases: versionsOf(m.aliases, false) as Record<string, number> }]
        : [],
    ) ?? null
  );
}

/** inference-service's GET /v1/models: `{ models: [{ model, aliases: { alias: version | null } }] }`; null for another body. */
export function servedModels(body: unknown): { name: string; aliases: Record<string, number | null> }[] | null {
  return (
    listOf(body, 'models')?.flatMap((m) =>
      typeof m.model === 'string' ? [{ name: m.model, aliases: versionsOf(m.aliases, true) }] : [],
    ) ?? null
  );
}

/**
 * Of a monitoring view's windows (GET /v1/monitoring/{model}: per size, the newest closed one and the
 * current one), the closed window ending last that holds predictions; with none holding any, the
 * closed one ending last. Among equal ends the longer window wins (more rows behind its numbers).
 */
export function newestClosedWindow(view: unknown): WindowQualityStatus | null {
  const closed = (listOf(view, 'windows') ?? []).filter((w) => w.closed === true && typeof w.end === 'string');
  if (closed.length === 0) return null;
  const ms = (w: Record<string, unknown>, key: 'start' | 'end') => Date.parse(String(w[key]));
  const newest = (rows: Record<string, unknown>[]) =>
    rows.reduce((best, w) => {
      const later = ms(w, 'end') - ms(best, 'end');
      const longer = ms(best, 'start') - ms(w, 'start');
      return later > 0 || (later === 0 && longer > 0) ? w : best;
    });
  const withPredictions = closed.filter((w) => num(w.predictions) > 0);
  const w = newest(withPredictions.length > 0 ? withPredictions : closed);
  const quality = (w.quality ?? null) as Record<string, unknown> | null;
  return {
    window: String(w.window ?? ''),
    start: String(w.start),
    end: String(w.end),
    version: num(w.version),
    predictions: num(w.predictions),
    labelled: num(w.labelled),
    auc: numOrNull(quality?.auc),
    estimatedAuc: numOrNull(w.estimatedAuc),
    trainingAuc: numOrNull(w.trainingAuc),
    driftedFeatures: num(w.driftedFeatures),
    features: typeof w.drift === 'object' && w.drift !== null ? Object.keys(w.drift).length : 0,
  };
}

function listOf(body: unknown, key: string): Record<string, unknown>[] | null {
  const list = (body as Record<string, unknown> | null | undefined)?.[key];
  return Array.isArray(list)
    ? list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    : null;
}

function versionsOf(value: unknown, nullable: boolean): Record<string, number | null> {
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, number | null> = {};
  for (const [alias, v] of Object.entries(value)) {
    if (typeof v === 'number' && Number.isInteger(v)) out[alias] = v;
    else if (nullable && v === null) out[alias] = null;
  }
  return out;
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const numOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
