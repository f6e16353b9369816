// `pulse experiments assign`: each unit of a list through a GrowthBook-shaped experiment, into a CSV.
import path from 'node:path';
import { assign, defineExperiment, type Experiment } from '@pulse/experiments';
import { csvField, readText, writeWhole } from './experiments-csv';

export interface AssignSummary {
  readonly experiment: string;
  readonly units: number;
  /** Lines naming a unit already listed (written once). */
  readonly duplicates_skipped: number;
  /** Units per variant label, in the variations' order. */
  readonly variants: { readonly variant: string; readonly units: number }[];
  readonly not_in_experiment: number;
  readonly out: string;
}

/** The experiment file through defineExperiment: every problem names the file and the field. */
export function readExperiment(file: string): Experiment {
  const name = path.basename(file);
  let definition: unknown;
  try {
    definition = JSON.parse(readText(file, 'experiment file'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${name} is not JSON: ${err.message}`);
    throw err;
  }
  try {
    return defineExperiment(definition as never);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

/** One unit id per line, surrounding blanks and blank lines ignored, each unit once. */
export function readUnits(file: string): { ids: string[]; duplicates: number } {
  const text = readText(file, 'units file');
  const seen = new Set<string>();
  let duplicates = 0;
  for (const line of text.split(/\r?\n/)) {
    const id = line.trim();
    if (id === '') continue;
    if (seen.has(id)) duplicates++;
    else seen.add(id);
  }
  if (seen.size === 0) throw new Error(`${path.basename(file)} holds no unit id (one per line)`);
  return { ids: [...seen], duplicates };
}

/** The label a unit's variation gets in the CSV: its meta name, else its value (strings as they are, others as JSON). */
export function variantLabel(experiment: Experiment, index: number): string {
  const named = experiment.meta?.[index]?.name;
  if (named) return named;
  const value = experiment.variations[index];
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function runAssign(options: { experiment: string; units: string; out: string }): AssignSummary {
  const experiment = readExperiment(options.experiment);
  const { ids, duplicates } = readUnits(options.units);
  const labels = experiment.variations.map((_, i) => variantLabel(experiment, i));
  const counts = labels.map(() => 0);
  let out = 0;
  const lines = ['unit,variant'];
  for (const id of ids) {
    // The unit id is the hash attribute's value; other attributes (conditions) are not known here.
    const a = assign(experiment, { [experiment.hashAttribute]: id });
    const label = a.inExperiment ? labels[a.variationId] : '';
    if (a.inExperiment) counts[a.variationId]++;
    else out++;
    lines.push(`${csvField(id)},${csvField(label)}`);
  }
  writeWhole(options.out, `${lines.join('\n')}\n`);
  return {
    experiment: experiment.key,
    units: ids.length,
    duplicates_skipped: duplicates,
    variants: labels.map((variant, i) => ({ variant, units: counts[i] })),
    not_in_experiment: out,
    out: options.out,
  };
}

export function formatAssignSummary(s: AssignSummary): string {
  const shares = s.variants.map((v) => `${v.variant} ${v.units.toLocaleString('en-US')}`).join(', ');
  const lines = [
    `assigned ${s.units.toLocaleString('en-US')} units of experiment "${s.experiment}" into ${s.out === '-' ? 'stdout' : s.out}: ${shares}; not in the experiment ${s.not_in_experiment.toLocaleString('en-US')}`,
  ];
  if (s.duplicates_skipped > 0)
    lines.push(`${s.duplicates_skipped} repeated unit id${s.duplicates_skipped === 1 ? '' : 's'} written once`);
  return lines.join('\n');
}
