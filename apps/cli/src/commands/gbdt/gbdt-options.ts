// Parsing of the `gbdt` command's option values: objective names, --params, --format.
import { resolveParams, type Objective } from '@pulse/gbdt';

export class CliUsageError extends Error {}

const OBJECTIVES: Record<string, Objective> = {
  binary: 'binary:logistic',
  multiclass: 'multi:softprob',
  regression: 'reg:squarederror',
  lambdarank: 'rank:ndcg',
};

/** binary | multiclass | regression | lambdarank (or the XGBoost name itself). */
export function parseObjective(value: string): Objective {
  const o =
    OBJECTIVES[value] ?? (Object.values(OBJECTIVES).includes(value as Objective) ? (value as Objective) : undefined);
  if (!o) throw new CliUsageError(`--objective must be one of ${Object.keys(OBJECTIVES).join(', ')}, got "${value}"`);
  return o;
}

export type DataFormat = 'csv' | 'libsvm';

export function parseFormat(value: string | undefined): DataFormat {
  const f = value ?? 'csv';
  if (f !== 'csv' && f !== 'libsvm') throw new CliUsageError(`--format must be csv or libsvm, got "${f}"`);
  return f;
}

/**
 * `k=v,k=v` -> { k: v }: numbers become numbers, true/false booleans, anything else a string.
 * Names are checked by the trainer's resolveParams (an unknown name is an error naming it).
 */
export function parseParamsArg(text: string | undefined): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`--params: "${item}" is not of the form name=value`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    if (key in out) throw new CliUsageError(`--params: "${key}" is given twice`);
    const n = Number(raw);
    out[key] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(n) ? n : raw;
  }
  return out;
}

/** resolveParams with its error prefixed by --params (an unknown name or a bad value). */
export function checkParams(params: Record<string, number | string | boolean>): ReturnType<typeof resolveParams> {
  try {
    return resolveParams(params);
  } catch (err) {
    throw new CliUsageError(`--params: ${(err as Error).message}`);
  }
}
