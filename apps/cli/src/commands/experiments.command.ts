import type { Command } from 'commander';
import { Option } from 'commander';
import { proportionSampleSize } from '@pulse/experiment-stats';
import { runAnalyze, type AnalyzeCliOptions } from './experiments/experiments-analyze';
import { formatAssignSummary, runAssign } from './experiments/experiments-assign';
import { correction, metricType, nonZero, openUnit, weightsOption } from './experiments/experiments-options';
import { analysisJson, formatAnalysis } from './experiments/experiments-report';

interface SampleSizeOptions {
  baseline: number;
  mde: number;
  relative: boolean;
  alpha: number;
  power: number;
  json: boolean;
}

export function registerExperimentsCommand(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('A/B experiments: assign units, analyse results, plan sample sizes');

  experiments
    .command('assign')
    .description('assign each unit of a list to its variation of a GrowthBook-shaped experiment, into a CSV')
    .showHelpAfterError('(pulse experiments assign --help lists the options)')
    .requiredOption(
      '--experiment <exp.json>',
      'the experiment: key, variations, weights, coverage, hashAttribute (default "id"), hashVersion, seed, namespace, meta…',
    )
    .requiredOption('--units <ids.txt>', 'one unit id per line (blank lines skipped; a repeated id is written once)')
    .requiredOption('--out <a.csv>', "the CSV to write ('-' for stdout); written whole or not at all")
    .option('--json', 'print the summary as one JSON object', false)
    .addHelpText(
      'after',
      "\nThe CSV has the header unit,variant: the variation's meta name when it has one, else its value (a\n" +
        'string as it is, anything else as JSON); empty when the unit is not in the experiment (coverage,\n' +
        'namespace, filters, status). Each unit id is the value of the hash attribute, the only attribute\n' +
        'known, so an experiment with a condition on other attributes takes no unit. Assignment is\n' +
        "GrowthBook's: the same definition puts every unit in the same variation as GrowthBook's SDKs.\n",
    )
    .action((options: { experiment: string; units: string; out: string; json: boolean }) => {
      const summary = runAssign(options);
      const text = options.json ? JSON.stringify(summary) : formatAssignSummary(summary);
      if (options.out === '-') console.error(text);
      else console.log(text);
    });

  experiments
    .command('analyze')
    .description('compare each variant of a results file with the control: difference, lift, intervals, p-values, SRM')
    .showHelpAfterError('(pulse experiments analyze --help lists the options)')
    .requiredOption('--data <d.csv>', 'one row per unit, header unit,variant,value (and the covariate column)')
    .requiredOption('--control <name>', 'the variant the others are compared with')
    .option(
      '--weights <a=0.5,b=0.5>',
      'planned share of each variant, for the SRM check (default equal)',
      weightsOption,
    )
    .option(
      '--metric-type <type>',
      'proportion (0/1 values: z-test) or mean (Welch); default proportion when every value is 0 or 1, else mean',
      metricType,
    )
    .option('--covariate <column>', 'also compare with CUPED, on this pre-period column (e.g. pre)')
    .addOption(
      new Option('--correction <name>', 'multiple-comparison correction of the p-values: none, holm or bh')
        .default('none')
        .argParser(correction),
    )
    .addOption(
      new Option('--alpha <a>', 'significance level; intervals are 1 − alpha').default(0.05).argParser(openUnit),
    )
    .option('--json', 'print one JSON object', false)
    .addHelpText(
      'after',
      "\nProportions: pooled two-proportion z-test p-value, unpooled Wald interval. Means: Welch's t-test\n" +
        '(Welch–Satterthwaite df). Relative lift: treatment / control − 1, delta-method interval. SRM:\n' +
        'chi-square of the units per variant against the weights, flagged at p < 0.001. CUPED: theta =\n' +
        'cov(value, pre) / var(pre) over all units, Welch on value − theta·(pre − mean pre). Sequential:\n' +
        "always-valid p-value and interval (mixture SPRT, GrowthBook's tuning 5,000 units).\n" +
        '\nVariants are listed in the order they first appear in the file. --json prints\n' +
        '{metric_type, alpha, correction, variants, srm, comparisons}; a statistic the data leave undefined\n' +
        '(no variance, a control mean of 0 for the lift) is null.\n' +
        '\nErrors name the file, row (the header is row 1) and column.\n' +
        '\nExample:\n  pulse experiments analyze --data results.csv --control control --covariate pre --correction holm --json\n',
    )
    .action((options: AnalyzeCliOptions) => {
      const analysis = runAnalyze(options);
      console.log(options.json ? JSON.stringify(analysisJson(analysis)) : formatAnalysis(analysis));
    });

  experiments
    .command('sample-size')
    .description("units per variant for a two-sided two-proportion test (Cohen's h, as statsmodels NormalIndPower)")
    .showHelpAfterError('(pulse experiments sample-size --help lists the options)')
    .requiredOption('--baseline <rate>', "the control's conversion rate, between 0 and 1", openUnit)
    .requiredOption(
      '--mde <effect>',
      'the smallest effect to detect: target − baseline (or a fraction with --relative)',
      nonZero,
    )
    .option('--relative', 'the mde is relative: target = baseline × (1 + mde)', false)
    .addOption(new Option('--alpha <a>', 'two-sided significance level').default(0.05).argParser(openUnit))
    .addOption(new Option('--power <p>', 'probability of detecting the effect').default(0.8).argParser(openUnit))
    .option('--json', 'print {"per_variant": n}', false)
    .action((options: SampleSizeOptions) => {
      const size = proportionSampleSize(options);
      if (options.json) {
        console.log(JSON.stringify({ per_variant: size.perVariant }));
        return;
      }
      const n = size.perVariant.toLocaleString('en-US');
      console.log(
        `${n} units per variant (${(2 * size.perVariant).toLocaleString('en-US')} for two variants) to detect ` +
          `${rate(options.baseline)} → ${rate(size.target)} (Cohen's h ${size.effectSize.toPrecision(4)}) ` +
          `with a two-sided test at alpha ${options.alpha} and power ${options.power}`,
      );
    });
}

const rate = (x: number) => `${Number((x * 100).toPrecision(6))}%`;
