import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auc } from '@pulse/ml-metrics';
import { sharedDatasetsDir } from '@pulse/testing';

// End to end: the built CLI (node dist/apps/cli/main.js gbdt ...) on the shared datasets and on small broken files.
const root = path.resolve(__dirname, '../../../..');
const datasets = sharedDatasetsDir(root);
const binary = path.join(datasets, 'lgb_binary_classification');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-gbdt-cli-'));
const out = (name: string) => path.join(tmp, name);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), 'gbdt', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function csvColumn(file: string, column: number): number[] {
  return fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[column]));
}
function broken(name: string, text: string): string {
  fs.writeFileSync(out(name), text);
  return out(name);
}

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('gbdt train -> predict -> eval (binary)', () => {
  let train: ReturnType<typeof cli>;
  beforeAll(() => {
    train = cli(
      'train',
      '--data',
      `${binary}/train.csv`,
      '--label',
      'label',
      '--objective',
      'binary',
      '--valid',
      `${binary}/test.csv`,
      '--params',
      'eta=0.1,max_depth=6,num_boost_round=100',
      '--out',
      out('model.json'),
      '--onnx',
      out('model.onnx'),
    );
  }, 120_000);
  const labels = () => csvColumn(`${binary}/test.csv`, 0);

  it('exits 0', () => expect([train.status, train.stderr.includes('Error')]).toEqual([0, false]));
  it('prints an eval line per round', () =>
    expect(train.stderr.split('\n').filter((l) => /^\[\d+\]\tvalid-logloss:\d/.test(l)).length).toBe(100));
  it('prints a JSON summary', () =>
    expect(JSON.parse(train.stdout)).toMatchObject({
      objective: 'binary:logistic',
      rows: 7000,
      features: 28,
      rounds: 100,
    }));
  it('writes the JSON and ONNX models', () =>
    expect([fs.statSync(out('model.json')).size > 1000, fs.statSync(out('model.onnx')).size > 1000]).toEqual([
      true,
      true,
    ]));

  it('predicts one probability per row, in order', () => {
    const r = cli('predict', '--model', out('model.json'), '--data', `${binary}/test.csv`, '--out', out('preds.csv'));
    expect(r.status).toBe(0);
    const lines = fs.readFileSync(out('preds.csv'), 'utf8').trimEnd().split('\n');
    expect([lines.length, lines[0]]).toEqual([501, 'score']);
    const scores = csvColumn(out('preds.csv'), 0);
    expect(scores.every((p) => p > 0 && p < 1)).toBe(true);
    // Rows out of order would put the AUC near 0.5; XGBoost gets 0.825 here with 200 rounds.
    expect(auc(labels(), scores)).toBeGreaterThan(0.8);
  });

  it('predicts the same through ONNX (within 1e-5)', () => {
    expect(
      cli('predict', '--model', out('model.onnx'), '--data', `${binary}/test.csv`, '--out', out('preds-onnx.csv'))
        .status,
    ).toBe(0);
    const a = csvColumn(out('preds.csv'), 0);
    const b = csvColumn(out('preds-onnx.csv'), 0);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-5);
  });

  it('evaluates: JSON metrics agreeing with the predictions file', () => {
    const r = cli('eval', '--model', out('model.json'), '--data', `${binary}/test.csv`, '--label', 'label');
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(Object.keys(m)).toEqual(['auc', 'logloss', 'accuracy', 'brier', 'ece']);
    expect(m.auc).toBeCloseTo(auc(labels(), csvColumn(out('preds.csv'), 0)), 12);
    expect(m.logloss).toBeLessThan(0.55);
  });
});

describe('gbdt multiclass and lambdarank', () => {
  it('multiclass: p0..p4 per row summing to 1, eval metrics', () => {
    const d = path.join(datasets, 'lgb_multiclass_classification');
    expect(
      cli(
        'train',
        '--data',
        `${d}/train.csv`,
        '--objective',
        'multiclass',
        '--params',
        'num_boost_round=15',
        '--out',
        out('mc.json'),
      ).status,
    ).toBe(0);
    expect(cli('predict', '--model', out('mc.json'), '--data', `${d}/test.csv`, '--out', out('mc.csv')).status).toBe(0);
    const lines = fs.readFileSync(out('mc.csv'), 'utf8').trimEnd().split('\n');
    expect([lines.length, lines[0]]).toEqual([501, 'p0,p1,p2,p3,p4']);
    expect(
      lines.slice(1).every(
        (l) =>
          Math.abs(
            l
              .split(',')
              .map(Number)
              .reduce((a, b) => a + b) - 1,
          ) < 1e-9,
      ),
    ).toBe(true);
    const m = JSON.parse(cli('eval', '--model', out('mc.json'), '--data', `${d}/test.csv`).stdout);
    expect(Object.keys(m)).toEqual(['accuracy', 'mlogloss', 'macro_f1']);
    expect(m.accuracy).toBeGreaterThan(0.35);
  }, 120_000);

  it('lambdarank: scores and ranking metrics', () => {
    const d = path.join(datasets, 'lgb_lambdarank');
    expect(
      cli(
        'train',
        '--data',
        `${d}/train.csv`,
        '--group',
        'qid',
        '--objective',
        'lambdarank',
        '--params',
        'num_boost_round=15',
        '--out',
        out('rk.json'),
      ).status,
    ).toBe(0);
    expect(cli('predict', '--model', out('rk.json'), '--data', `${d}/test.csv`, '--out', out('rk.csv')).status).toBe(0);
    expect(fs.readFileSync(out('rk.csv'), 'utf8').trimEnd().split('\n').length).toBe(769);
    const m = JSON.parse(cli('eval', '--model', out('rk.json'), '--data', `${d}/test.csv`, '--group', 'qid').stdout);
    expect(Object.keys(m)).toEqual(['ndcg@1', 'ndcg@3', 'ndcg@5', 'map@5']);
    expect(m['ndcg@3']).toBeGreaterThan(0.5);
  }, 120_000);

  it('regression on LibSVM input: a prediction column', () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${(i % 10) / 2} 0:${i % 10} 1:${(i * 7) % 13}`).join('\n');
    const file = broken('reg.svm', `${rows}\n`);
    expect(
      cli(
        'train',
        '--data',
        file,
        '--format',
        'libsvm',
        '--objective',
        'regression',
        '--params',
        'num_boost_round=30',
        '--out',
        out('reg.json'),
      ).status,
    ).toBe(0);
    expect(
      cli('predict', '--model', out('reg.json'), '--data', file, '--format', 'libsvm', '--out', out('reg.csv')).status,
    ).toBe(0);
    expect(fs.readFileSync(out('reg.csv'), 'utf8').split('\n')[0]).toBe('prediction');
    const m = JSON.parse(cli('eval', '--model', out('reg.json'), '--data', file, '--format', 'libsvm').stdout);
    expect([Object.keys(m), m.r2 > 0.9]).toEqual([['rmse', 'mae', 'r2'], true]);
  }, 60_000);
});

describe('gbdt errors name what is wrong and exit non-zero', () => {
  const fails = (args: string[], message: string) => {
    const r = cli(...args);
    expect([r.status, r.stderr.trim()]).toEqual([1, `pulse: ${message}`]);
  };
  it('ragged row', () => {
    const f = broken('ragged.csv', 'label,a,b\n1,0.5,2\n0,0.1\n');
    fails(
      ['train', '--data', f, '--objective', 'binary', '--out', out('x.json')],
      `${f} line 3: the row has 2 cells, expected 3 (as the header)`,
    );
  });
  it('non-numeric cell', () => {
    const f = broken('nonnum.csv', 'label,a,b\n1,0.5,2\n0,abc,1\n');
    fails(
      ['train', '--data', f, '--objective', 'binary', '--out', out('x.json')],
      `${f} line 3, column 2 "a": "abc" is not a number`,
    );
  });
  it('binary label out of range', () => {
    const f = broken('label2.csv', 'label,a\n1,0.5\n2,0.1\n');
    fails(
      ['train', '--data', f, '--objective', 'binary', '--out', out('x.json')],
      `${f} line 3, column 1 "label": label 2 is out of range for a binary objective (0 or 1)`,
    );
  });
  it('multiclass label not a class index', () => {
    const f = broken('mclabel.csv', 'label,a\n1,0.5\n-1,0.1\n');
    fails(
      ['train', '--data', f, '--objective', 'multiclass', '--out', out('x.json')],
      `${f} line 3, column 1 "label": label -1 is not a class index (an integer 0..K-1)`,
    );
  });
  it('eval label beyond the model classes', () => {
    const f = broken(
      'mc-eval.csv',
      `label,${Array.from({ length: 28 }, (_, i) => `f${i + 1}`).join(',')}\n7,${new Array(28).fill(0).join(',')}\n`,
    );
    fails(
      ['eval', '--model', out('mc.json'), '--data', f],
      `${f} line 2, column 1 "label": label 7 is out of range: the model has 5 classes (0..4)`,
    );
  });
  it('unknown parameter', () => {
    const f = broken('ok.csv', 'label,a\n1,0.5\n0,0.1\n');
    fails(
      ['train', '--data', f, '--objective', 'binary', '--params', 'eta=0.1,max_dept=3', '--out', out('x.json')],
      '--params: unknown parameter(s): max_dept',
    );
  });
  it('label column not found', () => {
    const f = broken('ok2.csv', 'y,a\n1,0.5\n0,0.1\n');
    fails(
      ['train', '--data', f, '--objective', 'binary', '--out', out('x.json')],
      `${f} line 1: label column "label" not found in the header (y, a)`,
    );
  });
  it('query ids not contiguous', () => {
    const f = broken('qid.csv', 'label,qid,a\n1,1,0.5\n0,2,0.1\n1,1,0.3\n');
    fails(
      ['train', '--data', f, '--group', 'qid', '--objective', 'lambdarank', '--out', out('x.json')],
      `${f} line 4, column 2 "qid": query id 1 already appeared at line 2; the rows of a query must be contiguous`,
    );
  });
});

describe('gbdt tune', () => {
  it('runs a small budget and reports every trial', () => {
    const r = cli(
      'tune',
      '--data',
      `${binary}/train.csv`,
      '--objective',
      'binary',
      '--trials',
      '3',
      '--max-rounds',
      '10',
      '--folds',
      '2',
      '--metric',
      'auc',
      '--space',
      'eta=log:0.05:0.5,max_depth=int:2:6',
      '--out',
      out('best.json'),
    );
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect([
      s.metric,
      s.direction,
      s.trials.length,
      r.stderr.split('\n').filter((l) => l.startsWith('trial ')).length,
    ]).toEqual(['auc', 'maximize', 3, 3]);
    expect(JSON.parse(fs.readFileSync(out('best.json'), 'utf8'))).toMatchObject({
      objective: 'binary:logistic',
      num_boost_round: expect.any(Number),
    });
  }, 120_000);
});
