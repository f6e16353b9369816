// End to end: `pulse drift` on generated CSV files, every field of its JSON against numpy / scipy
// (libs/drift/src/testing/drift_reference.py, given the values the files were written from), its
// table, and its errors on bad input (file, line and column named, exit 1, no stack trace).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-drift-cli-'));
const file = (name: string) => path.join(tmp, name);

/**
 * The built CLI: dist/apps/cli/main.js once main.ts registers the command, until then the same
 * program main.ts makes (name, registration, error printing, exit code) around the built command.
 */
const HARNESS = `
const { Command } = require('commander');
const { registerDriftCommand } = require(${JSON.stringify(path.join(root, 'dist/apps/cli/commands/drift.command.js'))});
const program = new Command('pulse').showHelpAfterError();
registerDriftCommand(program);
program.parseAsync(process.argv).catch((err) => {
  console.error('pulse: ' + (err instanceof Error ? err.message : String(err)));
  process.exit(1);
});`;
let viaMain = false;

function pulse(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const argv = viaMain
    ? [path.join(root, 'dist/apps/cli/main.js'), 'drift', ...args]
    : ['-e', HARNESS, 'pulse', 'drift', ...args];
  const r = spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Cell = number | string | null;

function writeCsv(name: string, columns: Record<string, Cell[]>, missing = 'NA'): string {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [names.map(quote).join(',')];
  for (let i = 0; i < n; i++)
    lines.push(names.map((c) => (columns[c][i] === null ? missing : quote(String(columns[c][i])))).join(','));
  fs.writeFileSync(file(name), `${lines.join('\r\n')}\r\n`);
  return file(name);
}

/** Columns of every kind the command reads, n rows, `shift` moving the current file. */
function dataset(u: () => number, n: number, shift: number, current: boolean): Record<string, Cell[]> {
  const z = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const pick = (names: string[], weights: number[]) => {
    let r = u() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < names.length; i++) if ((r -= weights[i]) < 0) return names[i];
    return names[names.length - 1];
  };
  const s = current ? shift : 0;
  return Object.fromEntries(
    Object.entries<() => Cell>({
      score: () => (u() < 0.03 ? null : z() + s),
      age: () => Math.round(30 + 8 * (z() + s)),
      // few integer values without missing cells: pandas int64, numpy's bin width floored at 1
      level: () => Math.round(2 + z() + s),
      visits: () => (u() < 0.02 ? null : Math.round(3 + 2 * (z() + s))),
      ties: () => Math.round((z() + s) * 2) / 2,
      amount: () => Math.exp(z() + s) * 1e4,
      channel: () =>
        current
          ? pick(['web', 'email', 'sms', 'slack'], [5, 3, 1 + s, 0.5])
          : pick(['web', 'email', 'sms', 'fax'], [5, 3, 1, 0.2]),
      plan: () => pick(['1', '2', '3'], [3, 2 + s, 1]),
      region: () => (u() < 0.01 ? 'unknown' : pick(['10', '20', '30', '40'], [1, 1, 1, 1 + s])),
      binary: () => pick(['yes', 'no'], [3, 1 + s]),
      [current ? 'only_current' : 'only_reference']: () => 1,
    }).map(([name, draw]) => [name, Array.from({ length: n }, draw)]),
  );
}

const CATEGORICAL = ['channel', 'plan', 'region', 'binary'];
const INTEGRAL = ['age', 'level'];

interface Reference {
  integer_width_floor: boolean;
  results: Array<{ result: Record<string, unknown> }>;
}

/** numpy / scipy on the values the files hold, each column as pandas would type it. */
function pythonReference(
  reference: Record<string, Cell[]>,
  current: Record<string, Cell[]>,
  columns: string[],
): Reference {
  const cases = columns.map((c) => {
    const categorical = CATEGORICAL.includes(c);
    // --categorical plan: numbers as categories by value; region holds "unknown": strings
    const value = (v: Cell) => (v === null ? null : c === 'plan' ? Number(v) : categorical ? String(v) : Number(v));
    return {
      kind: categorical ? 'categorical' : 'numeric',
      reference: reference[c].map(value),
      current: current[c].map(value),
      integral: INTEGRAL.includes(c),
    };
  });
  const r = spawnSync(
    process.env.PULSE_PYTHON ?? 'python3',
    [path.join(root, 'libs/drift/src/testing/drift_reference.py')],
    {
      input: JSON.stringify(cases),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  if (r.status !== 0) throw new Error(`drift_reference.py failed: ${r.stderr}`);
  const NON_FINITE: Record<string, number> = { inf: Infinity, '-inf': -Infinity, nan: NaN };
  return JSON.parse(r.stdout, (_k, v) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v));
}

/** Every number within 1e-9 (p-values 1e-8); JSON's null for an infinite or undefined number. */
function mismatches(actual: unknown, expected: unknown, at: string, out: string[]): void {
  if (typeof expected === 'number') {
    const tolerance = at.endsWith('p_value') ? 1e-8 : 1e-9;
    const ok = !Number.isFinite(expected)
      ? actual === null
      : typeof actual === 'number' && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
    if (!ok) out.push(`${at}: ${JSON.stringify(actual)} ≠ ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    const keys = Object.keys(expected);
    if (actual === null || typeof actual !== 'object' || JSON.stringify(Object.keys(actual)) !== JSON.stringify(keys))
      out.push(`${at}: fields ${JSON.stringify(actual && Object.keys(actual))} ≠ ${JSON.stringify(keys)}`);
    else
      for (const k of keys)
        mismatches((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}.${k}`, out);
  } else if (actual !== expected) out.push(`${at}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
  viaMain = /registerDriftCommand/.test(fs.readFileSync(path.join(root, 'apps/cli/src/main.ts'), 'utf8'));
}, 180_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('pulse drift --json against numpy / scipy', () => {
  const COLUMNS = ['score', 'age', 'level', 'visits', 'ties', 'amount', 'channel', 'plan', 'region', 'binary'];
  it.each([
    [1, 800, 600, 0],
    [2, 800, 650, 0.4],
    [3, 3000, 2500, 0.05],
    [4, 12000, 11000, 0.3],
  ])(
    'seed %d: %d reference and %d current rows, shift %d',
    (seed, nr, nc, shift) => {
      const u = uniform(seed);
      const reference = dataset(u, nr, shift, false);
      const current = dataset(u, nc, shift, true);
      const ref = writeCsv(`ref-${seed}.csv`, reference);
      const cur = writeCsv(`cur-${seed}.csv`, current, seed % 2 ? '' : 'NaN');
      const r = pulse('--reference', ref, '--current', cur, '--categorical', 'plan,channel', '--json');
      expect([r.status, r.stderr]).toEqual([0, '']);
      const out = JSON.parse(r.stdout);
      expect(Object.keys(out.columns)).toEqual(COLUMNS);
      const expected = pythonReference(reference, current, COLUMNS);
      const problems: string[] = [];
      COLUMNS.forEach((c, i) => {
        // the command bins integer columns as numpy 2 does; a numpy 1.x reference cannot check those
        if (expected.integer_width_floor || !INTEGRAL.includes(c))
          mismatches(out.columns[c], expected.results[i].result, c, problems);
      });
      expect(problems).toEqual([]);
      expect(out.details.region).toMatchObject({
        type: 'categorical',
        categorical_because: expect.stringMatching(/holds "unknown"/),
      });
      expect(out.details.score.missing.reference).toBe(reference.score.filter((v) => v === null).length);
      expect(out.summary.drifted).toBe(
        Object.values(out.columns).filter((c) => (c as { drifted: boolean }).drifted).length,
      );
    },
    120_000,
  );

  it('compares only --columns, in their order', () => {
    const u = uniform(9);
    const ref = writeCsv('ref-cols.csv', dataset(u, 100, 0, false));
    const cur = writeCsv('cur-cols.csv', dataset(u, 100, 0.5, true));
    const r = pulse('--reference', ref, '--current', cur, '--columns', 'channel,score', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.columns)).toEqual(['channel', 'score']);
    expect(Object.keys(out.columns.channel)).toEqual(['psi', 'js', 'chi2', 'drifted']);
    expect(Object.keys(out.columns.score)).toEqual(['psi', 'js', 'ks', 'wasserstein', 'drifted']);
  });
});

describe('pulse drift (table)', () => {
  it('prints a line per column with the deciding test and a summary', () => {
    const u = uniform(5);
    const ref = writeCsv('ref-table.csv', dataset(u, 400, 0, false));
    const cur = writeCsv('cur-table.csv', dataset(u, 400, 1, true));
    const r = pulse('--reference', ref, '--current', cur);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^drift of .*cur-table\.csv against .*ref-table\.csv: \d+ of 10 columns drifted \(\d+%\)$/,
    );
    expect(lines[2]).toMatch(
      /^column\s+type\s+rows ref\/cur\s+missing\s+psi\s+js\s+ks\s+ks p\s+wasserstein\s+chi2\s+chi2 p\s+decided by\s+drifted$/,
    );
    const score = lines.find((l) => l.startsWith('score ')) ?? '';
    expect(score).toMatch(/^score\s+numeric\s+\d+\/\d+\s+\d+\/\d+\s.*ks p <= 0\.05 \(.*\)\s+yes$/);
    // rows counted and missing ones skipped make up each file's 400
    const [rows, missing] = score
      .split(/\s+/)
      .slice(2, 4)
      .map((x) => x.split('/').map(Number));
    expect([rows[0] + missing[0], rows[1] + missing[1]]).toEqual([400, 400]);
    expect(lines.find((l) => l.startsWith('binary '))).toMatch(/z-test p < 0\.05/);
    expect(r.stdout).toMatch(
      /note: "channel" is read as categorical: .*ref-table\.csv line 2 holds "(web|email|sms|fax)"/,
    );
  });
});

describe('pulse drift: bad input', () => {
  const ok = () => writeCsv('ok.csv', { a: [1, 2, 3], b: ['x', 'y', 'x'] });
  const failing = (...args: string[]) => {
    const r = pulse(...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stderr.trim();
  };
  const broken = (name: string, text: string | Buffer) => {
    fs.writeFileSync(file(name), text);
    return file(name);
  };

  it('a row with more cells than the header: file, line and column', () =>
    expect(failing('--reference', ok(), '--current', broken('long.csv', 'a,b\n1,x\n2,y,3\n'))).toBe(
      `pulse: ${file('long.csv')} line 3, column 3: 3 cells, but the header names 2 columns`,
    ));
  it('a row with fewer cells names the first missing column', () =>
    expect(failing('--reference', broken('short.csv', 'a,b\n1,x\n\n2\n'), '--current', ok())).toBe(
      `pulse: ${file('short.csv')} line 4, column "b": 1 cells, but the header names 2 columns`,
    ));
  it('a quoted cell left open', () =>
    expect(failing('--reference', ok(), '--current', broken('quote.csv', 'a,b\n1,"x\n2,y\n'))).toBe(
      `pulse: ${file('quote.csv')} line 2, column "b": a quoted cell is not closed`,
    ));
  it('a value that is not a number in a --numeric column', () =>
    expect(
      failing('--reference', ok(), '--current', broken('num.csv', 'a,b\n1,x\n2.5,y\nabc,z\n'), '--numeric', 'a'),
    ).toBe(`pulse: ${file('num.csv')} line 4, column "a": "abc" is not a number (--numeric names this column)`));
  it('a column with no values in one file', () =>
    expect(failing('--reference', ok(), '--current', broken('empty-col.csv', 'a,b\nNA,x\n,y\n'))).toBe(
      `pulse: ${file('empty-col.csv')}, column "a": no values (all 2 rows are missing)`,
    ));
  it('a numeric column whose values are all infinite', () =>
    expect(failing('--reference', ok(), '--current', broken('inf.csv', 'a,b\ninf,x\n-inf,y\n'))).toBe(
      `pulse: column "a": ${file('inf.csv')} has no values (all 2 are missing)`,
    ));
  it('a file without data rows, an empty file, a missing file', () => {
    expect(failing('--reference', ok(), '--current', broken('header.csv', 'a,b\n'))).toBe(
      `pulse: ${file('header.csv')} has no data rows`,
    );
    expect(failing('--reference', broken('nothing.csv', ''), '--current', ok())).toBe(
      `pulse: ${file('nothing.csv')} is empty: a header row is required`,
    );
    expect(failing('--reference', file('none.csv'), '--current', ok())).toBe(
      `pulse: cannot read ${file('none.csv')}: ENOENT`,
    );
  });
  it('text that is not UTF-8, a duplicated header name', () => {
    expect(
      failing('--reference', ok(), '--current', broken('latin1.csv', Buffer.from('a,b\n1,x\n2,\xe9t\xe9\n', 'latin1'))),
    ).toBe(`pulse: ${file('latin1.csv')} line 3: not UTF-8 text`);
    expect(failing('--reference', broken('dup.csv', 'a,b,a\n1,2,3\n'), '--current', ok())).toBe(
      `pulse: ${file('dup.csv')} line 1: column "a" appears twice (columns 1 and 3)`,
    );
  });
  it('columns the files do not share or have', () => {
    expect(failing('--reference', ok(), '--current', broken('other.csv', 'c,d\n1,2\n'))).toMatch(
      /^pulse: .*ok\.csv and .*other\.csv share no column \(.*ok\.csv: a, b; .*other\.csv: c, d\)$/,
    );
    expect(failing('--reference', ok(), '--current', ok(), '--columns', 'a,zz')).toMatch(
      /^pulse: --columns: "zz" is not a column of .*ok\.csv \(its columns: a, b\)$/,
    );
    expect(failing('--reference', ok(), '--current', ok(), '--categorical', 'b', '--numeric', 'b')).toBe(
      'pulse: --categorical and --numeric both name "b"',
    );
  });
  it('the required options', () =>
    expect(failing('--current', ok())).toMatch(/required option '--reference <ref.csv>' not specified/));
});
