import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { servicePort } from '@pulse/contracts';
import { EnvReader } from '@pulse/core';
import { learningEngagementRegistry } from '@pulse/features';
import { DEFAULT_MODELS } from '@pulse/models';
import { initStorage, ModelRegistryRepository } from '@pulse/storage';
import { readEventFile, readOracleFile } from '@pulse/training';
import { eventLogSource, memorySource, runTrainingJob, type TrainingEventSource } from '@pulse/training-jobs';
import { positiveInt } from './option-parsers';
import { trainRemotely } from './train/train-remote';
import { formatSummary, summarize, type TrainSummary } from './train/train-summary';
import { trainingProgressBar } from './train/train-progress';

export interface TrainOptions {
  from?: number;
  until?: number;
  params?: Record<string, string>;
  events?: string;
  oracle?: string;
  databaseUrl?: string;
  url?: string;
  token?: string;
  report?: string;
  permuteLabels?: number;
  json: boolean;
  progress: boolean;
}

/** `k=v,k2=v2` → { k: 'v', k2: 'v2' }. */
export function parseParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',').filter((p) => p.trim() !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new InvalidArgumentError(`expected k=v pairs, got "${part}".`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function timeOption(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`expected an ISO date/time or epoch ms, got "${value}".`);
  return ms;
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train <model>')
    .description(
      `train a declared model (${Object.keys(DEFAULT_MODELS).join(', ')}) and print its test metrics next to its baseline, and its gate verdicts. ` +
        'With --events: from an exported JSON-lines event file, with no service running. With --database-url or DATABASE_URL: ' +
        "from that Postgres event log, registering the version there. Otherwise through the running training-service's API (--url).",
    )
    .option('--from <time>', 'only examples at or after this event time (ISO or epoch ms)', timeOption)
    .option('--until <time>', 'only examples before this event time (ISO or epoch ms)', timeOption)
    .option('--params <k=v,…>', 'tree engine parameter overrides, e.g. eta=0.1,max_depth=6', parseParams)
    .option('--events <file.jsonl>', 'train from this exported event file (what `pulse simulate --out` writes)')
    .option('--oracle <file.csv>', "also score the simulator's oracle probabilities on the same test examples")
    .option('--database-url <url>', 'Postgres with the event log and the model registry (default: DATABASE_URL)')
    .option('--url <url>', `training-service base URL (default: http://127.0.0.1:${servicePort('training-service')})`)
    .option('--token <token>', 'bearer token for the training-service (default: PULSE_API_TOKEN)')
    .option('--report <file.html>', 'write the HTML report to this file')
    .option(
      '--permute-labels <seed>',
      'train on labels shuffled with this seed (a null model: its quality gates must fail)',
      positiveInt(2 ** 31),
    )
    .option('--json', 'print one JSON object instead of text', false)
    .option('--no-progress', 'no progress bar')
    .action(async (model: string, options: TrainOptions) => {
      const summary = await runTrain(model, options, process.env);
      console.log(options.json ? JSON.stringify(summary) : formatSummary(summary));
    });
}

/** The command's work: trains locally (file or database) or through the service, and returns the summary. */
export async function runTrain(
  model: string,
  options: TrainOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<TrainSummary> {
  const spec = DEFAULT_MODELS[model];
  if (!spec)
    throw new InvalidArgumentError(`unknown model "${model}" (known: ${Object.keys(DEFAULT_MODELS).join(', ')})`);
  const read = new EnvReader(env);
  const databaseUrl = options.databaseUrl ?? read.optionalString('DATABASE_URL');
  if (!options.events && !databaseUrl) {
    const url = options.url ?? `http://127.0.0.1:${servicePort('training-service')}`;
    return trainRemotely(url, model, options, options.token ?? read.optionalString('PULSE_API_TOKEN'));
  }
  const oracle = options.oracle ? await readOracleFile(options.oracle) : undefined;
  const storage = databaseUrl ? await initStorage({ url: databaseUrl }) : undefined;
  const bar = trainingProgressBar(options.progress && !options.json && process.stderr.isTTY === true);
  try {
    let source: TrainingEventSource;
    if (options.events) {
      const file = await readEventFile(options.events);
      if (file.events.length === 0) throw new InvalidArgumentError(`${options.events} holds no valid event`);
      if (file.rejected > 0 && !options.json)
        console.error(`${file.rejected} events left out as the platform would refuse them, e.g. ${file.rejections[0]}`);
      source = memorySource(path.basename(options.events), file.events, file.watermarkMs);
    } else source = await eventLogSource(storage!.dataSource, storage!.eventLog);
    const outcome = await runTrainingJob({
      spec,
      featureRegistry: learningEngagementRegistry(),
      source,
      registry: storage ? new ModelRegistryRepository(storage.dataSource) : undefined,
      params: options.params,
      fromMs: options.from,
      untilMs: options.until,
      oracle,
      actor: `cli:${env.USER ?? 'unknown'}`,
      permuteLabels: options.permuteLabels,
      onProgress: (p) => bar.update(p),
    });
    if (options.report) fs.writeFileSync(options.report, outcome.reportHtml);
    return summarize(model, outcome.candidate.evaluation, outcome.candidate.gates, {
      version: outcome.version?.version ?? null,
      alias: outcome.alias,
      contentSha256: outcome.candidate.contentSha256,
      report: options.report ?? null,
    });
  } finally {
    bar.stop();
    await storage?.close();
  }
}
