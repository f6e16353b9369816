import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Prng } from '@pulse/core';
import { assign, defineExperiment, type ExperimentDefinition } from '@pulse/experiments';

// End to end: the built CLI (`pulse experiments …`) on files written here, its JSON against
// scipy/statsmodels run by libs/experiment-stats/src/testing/reference.py on the same data.
const root = path.resolve(__dirname, '../../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-experiments-cli-'));
const file = (name: string, text?: string | Buffer) => {
  const f = path.join(tmp, name);
  if (text !== undefined) fs.writeFileSync(f, text);
  return f;
};

// Until main.ts registers the command, the same registration and error handling as main.ts.
const registered = fs
  .readFileSync(path.join(root, 'apps/cli/src/main.ts'), 'utf8')
  .includes('registerExperimentsCommand');
const HARNESS = `
const { Command } = require('commander');
const { registerExperimentsCommand } = require(process.argv[1]);
const program = new Command('pulse').showHelpAfterError();
registerExperimentsCommand(program);
program.parseAsync(['node', 'pulse', ...process.argv.slice(2)]).catch((err) => {
  console.error('pulse: ' + (err instanceof Error ? err.message : String(err)));
  process.exit(1);
});`;

function pulse(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const argv = registered
    ? [path.join(root, 'dist/apps/cli/main.js'), 'experiments', ...args]
    : ['-e', HARNESS, path.join(root, 'dist/apps/cli/commands/experiments.command.js'), 'experiments', ...args];
  const r = spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function ok(...args: string[]): string {
  const r = pulse(...args);
  if (r.status !== 0) throw new Error(`pulse experiments ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
function failing(...args: string[]): string {
  const r = pulse(...args);
  expect(r.status).not.toBe(0);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return r.stderr;
}

function python(input: unknown): any {
  const bin = ['python3', '/usr/bin/python3'].find(
    (b) => spawnSync(b, ['-c', 'import scipy, statsmodels'], { stdio: 'ignore' }).status === 0,
  );
  if (!bin)
    throw new Error('needs python3 with scipy and statsmodels (apt-get install python3-scipy python3-statsmodels)');
  const r = spawnSync(bin, [path.join(root, 'libs/experiment-stats/src/testing/reference.py')], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`reference.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('pulse experiments assign', () => {
  const definition: ExperimentDefinition = {
    key: 'lesson-reminder',
    variations: ['control', { copy: 'nudge' }, 3],
    weights: [0.5, 0.3, 0.2],
    coverage: 0.8,
    hashVersion: 2,
    meta: [{ key: 'c', name: 'Control' }, { key: 'n' }, { key: 't', name: '' }],
  };
  const ids = Array.from({ length: 2000 }, (_, i) => `learner-${String(i).padStart(6, '0')}`);

  it('writes unit,variant with the variation’s name, else its value, empty when out: as assign() decides', () => {
    file('exp.json', JSON.stringify(definition));
    file('ids.txt', `${ids.slice(0, 1000).join('\n')}\n\n  \n${ids.slice(1000).join('\r\n')}\n${ids[3]}\n`);
    const summary = JSON.parse(
      ok('assign', '--experiment', file('exp.json'), '--units', file('ids.txt'), '--out', file('a.csv'), '--json'),
    );
    const experiment = defineExperiment(definition);
    const labels = ['Control', '{"copy":"nudge"}', '3'];
    const expected = ids.map((id) => {
      const a = assign(experiment, { id });
      return a.inExperiment ? labels[a.variationId] : '';
    });
    const lines = fs.readFileSync(file('a.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('unit,variant');
    const quoted = (label: string) => (label.includes('"') ? `"${label.replace(/"/g, '""')}"` : label);
    expect(lines.slice(1)).toEqual(ids.map((id, i) => `${id},${quoted(expected[i])}`));
    const count = (label: string) => expected.filter((e) => e === label).length;
    expect(summary).toEqual({
      experiment: 'lesson-reminder',
      units: 2000,
      duplicates_skipped: 1,
      variants: labels.map((variant) => ({ variant, units: count(variant) })),
      not_in_experiment: count(''),
      out: file('a.csv'),
    });
    expect(count('')).toBeGreaterThan(300); // coverage 0.8
    expect(count('3')).toBeGreaterThan(200);
  });

  it('hashes the unit id as the hash attribute, with a namespace, to stdout', () => {
    const def: ExperimentDefinition<number> = {
      key: 'ns',
      variations: [0, 1],
      hashAttribute: 'user_id',
      namespace: ['layer', 0, 0.5],
      seed: 's1',
    };
    file('ns.json', JSON.stringify(def));
    file('ns.txt', ids.slice(0, 500).join('\n'));
    const r = pulse('assign', '--experiment', file('ns.json'), '--units', file('ns.txt'), '--out', '-');
    expect(r.status).toBe(0);
    const experiment = defineExperiment(def);
    const expected = ids.slice(0, 500).map((id) => {
      const a = assign(experiment, { user_id: id });
      return `${id},${a.inExperiment ? String(a.value) : ''}`;
    });
    expect(r.stdout.trimEnd().split('\n')).toEqual(['unit,variant', ...expected]);
    expect(expected.filter((l) => l.endsWith(',')).length).toBeGreaterThan(150);
    expect(r.stderr).toMatch(
      /^assigned 500 units of experiment "ns" into stdout: 0 \d+, 1 \d+; not in the experiment \d+$/m,
    );
  });
});

// ---- analyze against scipy / statsmodels ----

const NAMES = ['control', 'treatment', 'variant "b"', 'variant c'];

interface Dataset {
  variants: { name: string; values: number[]; pre?: number[] }[];
  units: { unit: string; variant: number; index: number }[];
  control: string;
  weights: number[];
  metricType: 'proportion' | 'mean';
  alpha: number;
  correction: 'none' | 'holm' | 'bh';
  /** What the command line says: weights and metric type given, or left to their defaults. */
  giveWeights: boolean;
  giveType: boolean;
}

function dataset(seed: string, units: number, covariate: boolean, metricType: 'proportion' | 'mean'): Dataset {
  const rng = new Prng(seed);
  const k = rng.int(2, 4);
  const raw = Array.from({ length: k }, () => rng.int(1, 5));
  const equal = rng.bernoulli(0.25);
  const weights = equal ? raw.map(() => 1 / k) : raw.map((w) => w / raw.reduce((s, x) => s + x, 0));
  const variants = NAMES.slice(0, k).map((name) => ({ name, values: [] as number[], pre: [] as number[] }));
  const effects = variants.map((_, i) => (i === 0 ? 0 : rng.uniform(-0.1, 0.15)));
  const order: Dataset['units'] = [];
  const [base, sd, rate] = [rng.uniform(5, 50), rng.uniform(2, 10), rng.uniform(0.05, 0.5)];
  for (let u = 0; u < units || variants.some((v) => v.values.length < 2); u++) {
    let x = rng.next();
    let i = 0;
    while (i < k - 1 && x >= weights[i]) x -= weights[i++];
    const pre = rng.normal(base, sd);
    const value =
      metricType === 'mean'
        ? base * (1 + effects[i]) + 0.8 * (pre - base) + rng.normal(0, sd / 2)
        : rng.bernoulli(Math.min(0.95, Math.max(0.01, rate * (1 + effects[i]) + 0.01 * (pre - base))))
          ? 1
          : 0;
    order.push({ unit: `u-${seed}-${u}`, variant: i, index: variants[i].values.length });
    variants[i].values.push(value);
    variants[i].pre.push(pre);
  }
  return {
    variants: variants.map((v) => (covariate ? v : { name: v.name, values: v.values })),
    units: order,
    control: NAMES[rng.bernoulli(0.7) ? 0 : k - 1],
    weights,
    metricType,
    alpha: rng.pick([0.05, 0.01, 0.1]),
    correction: rng.pick(['none', 'holm', 'bh'] as const),
    giveWeights: !equal || rng.bernoulli(0.5),
    giveType: rng.bernoulli(0.5),
  };
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function writeDataset(name: string, d: Dataset, eol: string): string {
  const pre = d.variants[0].pre !== undefined;
  const lines = [pre ? 'unit,variant,value,pre' : 'unit,variant,value'];
  for (const u of d.units) {
    const v = d.variants[u.variant];
    const cells = [u.unit, csvCell(v.name), String(v.values[u.index])];
    if (v.pre) cells.push(String(v.pre[u.index]));
    lines.push(cells.join(','));
  }
  return file(name, lines.join(eol) + eol);
}

function analyzeArgs(csv: string, d: Dataset): string[] {
  const args = ['analyze', '--data', csv, '--control', d.control, '--json'];
  if (d.giveWeights) args.push('--weights', d.variants.map((v, i) => `${v.name}=${d.weights[i]}`).join(','));
  if (d.giveType) args.push('--metric-type', d.metricType);
  if (d.variants[0].pre) args.push('--covariate', 'pre');
  if (d.correction !== 'none' || d.giveType) args.push('--correction', d.correction);
  if (d.alpha !== 0.05) args.push('--alpha', String(d.alpha));
  return args;
}

/** Every field of the command's JSON against the reference: statistics 1e-9 relative, p-values 1e-8. */
function mismatches(out: any, ref: any, d: Dataset): string[] {
  const off: string[] = [];
  const floor = Math.max(1, ...ref.variants.map((v: any) => Math.abs(v.mean)));
  const stat = (at: string, ours: unknown, theirs: number | null, tol = 1e-9) => {
    if (theirs === null) {
      if (ours !== null) off.push(`${at}: ${String(ours)} vs null`);
    } else if (typeof ours !== 'number' || !(Math.abs(ours - theirs) <= tol * Math.abs(theirs) + 1e-12 * floor))
      off.push(`${at}: ${String(ours)} vs ${theirs}`);
  };
  const p = (at: string, ours: unknown, theirs: number | null) => {
    if (theirs === null) {
      if (ours !== null) off.push(`${at}: ${String(ours)} vs null`);
    } else if (typeof ours !== 'number' || !(Math.abs(ours - theirs) <= 1e-8))
      off.push(`${at}: ${String(ours)} vs ${theirs}`);
  };
  const walk = (at: string, ours: any, theirs: any) => {
    for (const [key, value] of Object.entries(theirs)) {
      const here = `${at}.${key}`;
      if (key.endsWith('_statsmodels')) stat(here, ours[key.replace('_statsmodels', '')], value as number, 1e-8);
      else if (typeof value === 'string') {
        if (ours[key] !== value) off.push(`${here}: ${String(ours[key])} vs ${value}`);
      } else if (value !== null && typeof value === 'object') walk(here, ours[key] ?? {}, value);
      else if (key.startsWith('p_value')) p(here, ours[key], value as number | null);
      else stat(here, ours[key], value as number | null);
    }
  };
  expect(Object.keys(out)).toEqual(expect.arrayContaining(['variants', 'srm', 'comparisons']));
  d.variants.forEach((v, i) => {
    const ours = out.variants.find((x: any) => x.variant === v.name);
    if (!ours) return off.push(`variant ${v.name} missing`);
    if (ours.n !== ref.variants[i].n) off.push(`${v.name}.n: ${ours.n} vs ${ref.variants[i].n}`);
    stat(`${v.name}.mean`, ours.mean, ref.variants[i].mean);
    stat(`${v.name}.variance`, ours.variance, ref.variants[i].variance);
  });
  stat('srm.chi2', out.srm.chi2, ref.srm.chi2);
  p('srm.p_value', out.srm.p_value, ref.srm.p_value);
  if (out.srm.flagged !== ref.srm.p_value < 0.001) off.push(`srm.flagged: ${out.srm.flagged}`);
  if (out.comparisons.length !== ref.comparisons.length) off.push('comparisons: count');
  for (const r of ref.comparisons) {
    const ours = out.comparisons.find((c: any) => c.variant === r.variant);
    if (!ours) {
      off.push(`comparison ${r.variant} missing`);
      continue;
    }
    if (!r.cuped && ours.cuped !== null) off.push(`${r.variant}.cuped: not null`);
    walk(r.variant, ours, r);
  }
  expect(out.metric_type).toBe(d.metricType);
  return off;
}

describe('pulse experiments analyze against scipy and statsmodels', () => {
  const datasets = [
    dataset('cli-0', 60, false, 'proportion'),
    dataset('cli-1', 150, true, 'mean'),
    dataset('cli-2', 40_000, false, 'proportion'),
    dataset('cli-3', 30_000, true, 'mean'),
    dataset('cli-4', 90, true, 'proportion'),
    dataset('cli-5', 25, true, 'mean'),
    dataset('cli-6', 12_000, true, 'proportion'),
    dataset('cli-7', 8_000, false, 'mean'),
  ];
  let reference: any;
  beforeAll(() => {
    reference = python({
      cases: datasets.map((d) => ({
        variants: d.variants,
        control: d.control,
        weights: d.weights,
        metricType: d.metricType,
        alpha: d.alpha,
        correction: d.correction,
        tuning: 5000,
      })),
    });
  }, 300_000);

  it.each(datasets.map((d, i) => [i, d.metricType, d.variants.length, d.units.length] as const))(
    'dataset %i: %s, %i variants, %i units',
    (i) => {
      const d = datasets[i];
      const csv = writeDataset(`d${i}.csv`, d, i % 2 ? '\r\n' : '\n');
      const out = JSON.parse(ok(...analyzeArgs(csv, d)));
      expect(mismatches(out, reference.cases[i], d)).toEqual([]);
    },
  );

  it('covers unequal weights, CUPED on both metric types, default options and a significant result', () => {
    expect(datasets.some((d) => d.giveWeights && new Set(d.weights).size > 1)).toBe(true);
    expect(datasets.some((d) => !d.giveType)).toBe(true);
    expect(new Set(datasets.map((d) => d.variants.length))).toEqual(new Set([2, 3, 4]));
    expect(reference.cases.some((c: any) => c.comparisons.some((r: any) => r.p_value < 0.01))).toBe(true);
    expect(datasets.some((d) => d.metricType === 'proportion' && d.variants[0].pre)).toBe(true);
  });

  it('prints a readable table without --json', () => {
    const d = datasets[1];
    const csv = writeDataset('table.csv', d, '\n');
    const text = ok(...analyzeArgs(csv, d).filter((a) => a !== '--json'));
    expect(text).toMatch(/^metric: mean, Welch's t-test; alpha /);
    expect(text).toMatch(/^variant\s+units\s+mean\s+variance$/m);
    expect(text).toMatch(/^sample ratio: chi² [\d.e+-]+, p = [\d.e+-]+ — (ok|MISMATCH)/m);
    expect(text).toMatch(new RegExp(`^treatment vs ${d.control}\\s`, 'm'));
    expect(text).toMatch(/^CUPED \(theta [\d.-]+, Welch on adjusted values\):$/m);
  });

  it('flags a sample ratio mismatch', () => {
    const rows = ['unit,variant,value'];
    for (let i = 0; i < 10_000; i++) rows.push(`u${i},${i % 100 < 53 ? 'a' : 'b'},${i % 7 === 0 ? 1 : 0}`);
    const out = JSON.parse(ok('analyze', '--data', file('srm.csv', rows.join('\n')), '--control', 'a', '--json'));
    expect(out.srm.flagged).toBe(true);
    expect(out.metric_type).toBe('proportion');
  });
});

describe('pulse experiments sample-size against statsmodels NormalIndPower', () => {
  const designs = [
    { baseline: 0.3, mde: 0.02, relative: false, alpha: 0.05, power: 0.8 },
    { baseline: 0.1, mde: 0.1, relative: true, alpha: 0.05, power: 0.9 },
    { baseline: 0.62, mde: -0.05, relative: false, alpha: 0.01, power: 0.95 },
    { baseline: 0.035, mde: 0.25, relative: true, alpha: 0.1, power: 0.8 },
  ];
  it('prints {"per_variant": n}, n = ceil(solve_power(proportion_effectsize(target, baseline), …))', () => {
    const ref = python({
      power: designs.map((d) => ({
        baseline: d.baseline,
        target: d.relative ? d.baseline * (1 + d.mde) : d.baseline + d.mde,
        alpha: d.alpha,
        power: d.power,
        n: 100,
      })),
    });
    const ours = designs.map((d) =>
      JSON.parse(
        ok(
          ...['sample-size', '--baseline', String(d.baseline), '--mde', String(d.mde)],
          ...(d.relative ? ['--relative'] : []),
          ...['--alpha', String(d.alpha), '--power', String(d.power), '--json'],
        ),
      ),
    );
    expect(ours).toEqual(ref.power.map((r: any) => ({ per_variant: r.per_variant })));
    expect(ours[0]).toEqual({ per_variant: 8393 });
  });
  it('says it in words without --json', () =>
    expect(ok('sample-size', '--baseline', '0.3', '--mde', '0.02')).toBe(
      "8,393 units per variant (16,786 for two variants) to detect 30% → 32% (Cohen's h 0.04325) with a two-sided test at alpha 0.05 and power 0.8\n",
    ));
});

describe('broken input', () => {
  const data = (name: string, text: string) => file(name, text);
  const good = 'unit,variant,value\nu1,a,1\nu2,a,0\nu3,b,1\nu4,b,0\nu5,b,1\n';

  it('names the row and column of a value that is not a number', () =>
    expect(failing('analyze', '--data', data('bad.csv', `${good}u6,a,abc\n`), '--control', 'a')).toMatch(
      /^pulse: bad\.csv row 7, column value: "abc" is not a number$/m,
    ));
  it('names an empty cell', () =>
    expect(failing('analyze', '--data', data('empty.csv', `${good}u6,,1\n`), '--control', 'a')).toMatch(
      /empty\.csv row 7, column variant: empty/,
    ));
  it('names a row with the wrong number of fields', () =>
    expect(failing('analyze', '--data', data('fields.csv', `${good}u6,a\n`), '--control', 'a')).toMatch(
      /fields\.csv row 7: 2 fields, the header has 3/,
    ));
  it('names a covariate cell that is not a number', () =>
    expect(
      failing(
        'analyze',
        '--data',
        data('pre.csv', 'unit,variant,value,pre\nu1,a,1,2\nu2,a,0,3\nu3,b,1,x1\nu4,b,0,4\n'),
        '--control',
        'a',
        '--covariate',
        'pre',
      ),
    ).toMatch(/pre\.csv row 4, column pre: "x1" is not a number/));
  it('names a unit listed twice', () =>
    expect(failing('analyze', '--data', data('twice.csv', `${good}u2,b,1\n`), '--control', 'a')).toMatch(
      /twice\.csv row 7, column unit: unit "u2" is already in row 3; one row per unit/,
    ));
  it('names a missing column', () =>
    expect(failing('analyze', '--data', data('cols.csv', 'unit,group,value\nu1,a,1\n'), '--control', 'a')).toMatch(
      /cols\.csv has no column "variant" \(its header: unit, group, value\)/,
    ));
  it('names an unknown control and the variants there are', () =>
    expect(failing('analyze', '--data', data('ok.csv', good), '--control', 'ctrl')).toMatch(
      /--control "ctrl" is not a variant of ok\.csv \(variants: a, b\)/,
    ));
  it('refuses a variant with fewer than 2 units', () =>
    expect(failing('analyze', '--data', data('one.csv', `${good}u6,c,1\n`), '--control', 'a')).toMatch(
      /variant "c" has 1 unit in one\.csv; a comparison needs at least 2/,
    ));
  it('refuses weights that do not sum to 1, or miss or invent a variant', () => {
    const csv = data('w.csv', good);
    expect(failing('analyze', '--data', csv, '--control', 'a', '--weights', 'a=0.5,b=0.6')).toMatch(
      /--weights must sum to 1, got 1\.1/,
    );
    expect(failing('analyze', '--data', csv, '--control', 'a', '--weights', 'a=1')).toMatch(
      /--weights gives no weight for "b"/,
    );
    expect(failing('analyze', '--data', csv, '--control', 'a', '--weights', 'a=0.5,b=0.25,z=0.25')).toMatch(
      /--weights names "z", which has no rows in w\.csv/,
    );
    expect(failing('analyze', '--data', csv, '--control', 'a', '--weights', 'a:0.5')).toMatch(
      /option '--weights <a=0\.5,b=0\.5>' argument 'a:0\.5' is invalid\. "a:0\.5" is not variant=weight/,
    );
  });
  it('refuses values other than 0/1 for a proportion', () =>
    expect(
      failing(
        'analyze',
        '--data',
        data('prop.csv', `${good}u6,a,2\n`),
        '--control',
        'a',
        '--metric-type',
        'proportion',
      ),
    ).toMatch(/prop\.csv row 7, column value: 2 is not 0 or 1 \(--metric-type proportion\)/));
  it('refuses an alpha outside (0, 1), an unknown correction or metric type', () => {
    const csv = data('ok2.csv', good);
    expect(failing('analyze', '--data', csv, '--control', 'a', '--alpha', '1.5')).toMatch(
      /option '--alpha <a>' argument '1\.5' is invalid\. expected a number between 0 and 1/,
    );
    expect(failing('analyze', '--data', csv, '--control', 'a', '--correction', 'bonferroni')).toMatch(
      /argument 'bonferroni' is invalid\. expected one of none, holm, bh/,
    );
    expect(failing('analyze', '--data', csv, '--control', 'a', '--metric-type', 'ratio')).toMatch(
      /expected one of proportion, mean/,
    );
  });
  it('names an unclosed quote, a missing file, a file that is not UTF-8, a header without rows', () => {
    expect(failing('analyze', '--data', data('quote.csv', `${good}u6,"a,1\n`), '--control', 'a')).toMatch(
      /quote\.csv row 7: a quoted field is not closed/,
    );
    expect(failing('analyze', '--data', path.join(tmp, 'none.csv'), '--control', 'a')).toMatch(
      /cannot read the data file .*none\.csv: ENOENT/,
    );
    expect(
      failing('analyze', '--data', file('latin1.csv', Buffer.from([0x75, 0x2c, 0xff, 0x0a])), '--control', 'a'),
    ).toMatch(/latin1\.csv is not UTF-8 text/);
    expect(failing('analyze', '--data', data('head.csv', 'unit,variant,value\n'), '--control', 'a')).toMatch(
      /head\.csv has a header but no rows/,
    );
  });
  it('names the field of a broken experiment, JSON that does not parse, an empty unit list', () => {
    const ids = file('ids-ok.txt', 'u1\nu2\n');
    file('w.json', JSON.stringify({ key: 'k', variations: ['a', 'b'], weights: [0.5, 0.6] }));
    expect(failing('assign', '--experiment', file('w.json'), '--units', ids, '--out', file('x.csv'))).toMatch(
      /^pulse: w\.json: experiment "k" weights: must sum to 1, got 1\.1$/m,
    );
    file('v.json', JSON.stringify({ key: 'k', variations: ['only'] }));
    expect(failing('assign', '--experiment', file('v.json'), '--units', ids, '--out', file('x.csv'))).toMatch(
      /v\.json: experiment "k" variations: must list at least two variations, got 1/,
    );
    file('h.json', JSON.stringify({ key: 'k', variations: ['a', 'b'], hashVersion: 3 }));
    expect(failing('assign', '--experiment', file('h.json'), '--units', ids, '--out', file('x.csv'))).toMatch(
      /h\.json: experiment "k" hashVersion: must be 1 or 2, got 3/,
    );
    file('j.json', '{"key": "k",');
    expect(failing('assign', '--experiment', file('j.json'), '--units', ids, '--out', file('x.csv'))).toMatch(
      /j\.json is not JSON: /,
    );
    file('k.json', JSON.stringify({ key: 'k', variations: ['a', 'b'] }));
    expect(
      failing('assign', '--experiment', file('k.json'), '--units', file('blank.txt', '\n \n'), '--out', file('x.csv')),
    ).toMatch(/blank\.txt holds no unit id \(one per line\)/);
    expect(fs.existsSync(file('x.csv'))).toBe(false);
  });
  it('refuses a sample-size design it cannot meet', () => {
    expect(failing('sample-size', '--baseline', '0.95', '--mde', '0.1')).toMatch(
      /mde 0\.1 puts the target rate at 1\.05, outside \(0, 1\)/,
    );
    expect(failing('sample-size', '--baseline', '0', '--mde', '0.1')).toMatch(
      /option '--baseline <rate>' argument '0' is invalid\. expected a number between 0 and 1/,
    );
    expect(failing('sample-size', '--baseline', '0.3', '--mde', '0')).toMatch(/expected a non-zero number/);
    expect(failing('sample-size', '--baseline', '0.3', '--mde', '0.02', '--power', '0.01')).toMatch(
      /power must be greater than alpha \(0\.05\), got 0\.01/,
    );
  });
});
