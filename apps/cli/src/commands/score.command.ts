import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { CHANNELS, idStringDefect, servicePort } from '@pulse/contracts';
import { EnvReader } from '@pulse/core';
import { DEFAULT_BATCH_CHUNK, MAX_BATCH_CHUNK } from '@pulse/inference';
import { DEFAULT_MODELS } from '@pulse/models';
import { positiveInt } from './option-parsers';
import { scoreFromDatabase } from './score/score-local';
import { scoreProgress } from './score/score-progress';
import { REMOTE_CHUNK, scoreThroughService } from './score/score-remote';
import { formatScoreSummary, type ScoreSummary } from './score/score-summary';
import { parseTimeOption } from './score/score-time';

export interface ScoreOptions {
  alias: string;
  at: number;
  out: string;
  entities?: string;
  channel?: string;
  contentId?: string;
  fallback: boolean;
  databaseUrl?: string;
  redisUrl?: string;
  keyPrefix?: string;
  url?: string;
  chunk?: number;
  json: boolean;
  progress: boolean;
}

function contentIdOption(value: string): string {
  const defect = idStringDefect(value);
  if (value === '' || defect !== undefined) throw new InvalidArgumentError(`the content id ${defect ?? 'is empty'}.`);
  return value;
}

export function registerScoreCommand(program: Command): void {
  program
    .command('score <model>')
    .description(
      `score every entity of the event log (or those of --entities) with a registered version of a declared model (${Object.keys(DEFAULT_MODELS).join(', ')}) as of a time, into a CSV`,
    )
    .showHelpAfterError('(pulse score --help lists the options)')
    .addOption(new Option('--alias <alias>', 'the registry alias whose version scores').default('champion'))
    .requiredOption(
      '--at <time>',
      'the event time to score as of: RFC 3339 with a zone (2026-09-01T12:00:00Z), a UTC date (2026-09-01) or epoch ms',
      parseTimeOption,
    )
    .requiredOption('--out <file.csv>', "the CSV to write ('-' for stdout); written whole or not at all")
    .option(
      '--entities <ids.txt>',
      'score only these entities: one id per line (default: every entity of the event log)',
    )
    .addOption(
      new Option(
        '--channel <channel>',
        "the trigger's channel for every row (request-time features; default none)",
      ).choices([...CHANNELS]),
    )
    .option('--content-id <id>', "the trigger's content id for every row (default none)", contentIdOption)
    .option(
      '--fallback',
      "when the alias holds no version, score with the model's rule-based fallback (version 0)",
      false,
    )
    .option('--database-url <url>', 'Postgres with the model registry and the event log (default: DATABASE_URL)')
    .option(
      '--redis-url <url>',
      "Redis with feature-service's online states (default: REDIS_URL; none: replay the log)",
    )
    .option('--key-prefix <prefix>', "feature-service's state key prefix (default: REDIS_KEY_PREFIX, else pulse:fs:)")
    .option(
      '--url <url>',
      `inference-service base URL without a database (default: http://127.0.0.1:${servicePort('inference-service')})`,
    )
    .option(
      '--chunk <n>',
      `entities per feature read and onnxruntime call (default ${DEFAULT_BATCH_CHUNK}; through the service, rows per request, default ${REMOTE_CHUNK})`,
      positiveInt(MAX_BATCH_CHUNK),
    )
    .option('--json', 'print the summary as one JSON object', false)
    .option('--no-progress', 'no progress bar or progress lines on stderr')
    .addHelpText(
      'after',
      '\nThe CSV: entity_id, model, version, alias, as_of, score, label, risk_tier, risk_confidence, then one\n' +
        "probability_<class> column per class (binary: score = P(class 1); multiclass: the label's probability).\n" +
        "\nWith --database-url (or DATABASE_URL) it scores here, from that database: the alias's version from the\n" +
        'model registry, verified as the service verifies one (digests, onnxruntime load, signature, test\n' +
        "sample); each entity's features as of --at from feature-service's online state in Redis (--redis-url\n" +
        'or REDIS_URL) where the state can answer that time, replayed from the event log otherwise, through the\n' +
        "model's own vector function; chunks of --chunk entities per read and onnxruntime call. Every entity =\n" +
        'each entity of the event log with an event at or before --at.\n' +
        "\nWithout a database it goes through the running inference-service's POST /v1/predict/{model}/batch\n" +
        "(--url): the service's champion, features read by the service, the entities of --entities only.\n" +
        '\nExamples:\n' +
        '  pulse score lesson_completion --at 2026-09-01T12:00:00Z --out scores.csv --database-url postgres://postgres@127.0.0.1/pulse --redis-url redis://127.0.0.1:6379\n' +
        '  pulse score dropout_risk --alias challenger --at 2026-09-01 --entities learners.txt --out - --database-url $DATABASE_URL\n' +
        '  pulse score lesson_completion --at 2026-09-01T12:00:00Z --entities learners.txt --out scores.csv   # through the running service\n',
    )
    .action(async (model: string, options: ScoreOptions) => {
      const summary = await runScore(model, options, process.env);
      const text = options.json ? JSON.stringify(summary) : formatScoreSummary(summary);
      // The CSV may be on stdout: the summary then goes to stderr.
      if (options.out === '-') console.error(text);
      else console.log(text);
    });
}

/** The command's work: scores from the database or through the service, and returns the summary. */
export async function runScore(
  model: string,
  options: ScoreOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ScoreSummary> {
  const spec = Object.hasOwn(DEFAULT_MODELS, model) ? DEFAULT_MODELS[model] : undefined;
  if (!spec)
    throw new InvalidArgumentError(`unknown model "${model}" (known: ${Object.keys(DEFAULT_MODELS).join(', ')})`);
  const read = new EnvReader(env);
  const databaseUrl = options.databaseUrl ?? read.optionalString('DATABASE_URL');
  const progress = scoreProgress(options.progress);
  if (databaseUrl === undefined) {
    const url = options.url ?? `http://127.0.0.1:${servicePort('inference-service')}`;
    return scoreThroughService(spec, options, url, progress);
  }
  return scoreFromDatabase(spec, options, databaseUrl, env, progress);
}
