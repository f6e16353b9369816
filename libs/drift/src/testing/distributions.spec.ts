// The ports of scipy's distribution code against scipy itself on a grid that reaches every branch:
// kstwo.sf (Ruben-Gambino, Durbin matrix, Pomeranz, Pelz-Good, 2·smirnov, for n from 1 to 10⁶ and
// d both generic and on the lattice k/n where the sums change length), smirnov, ks_2samp's p-value
// from a statistic (exact up to 10,000 per sample, asymptotic above) and the chi-square tail.
import path from 'node:path';
import { chiSquareSf } from '../stats/chi-square';
import { ksTest } from '../stats/ks-2samp';
import { kstwoSf } from '../stats/kstwo';
import { smirnovSf } from '../stats/smirnov';
import { Mismatches, P_TOLERANCE } from './compare';
import { runPython } from './python-reference';
import { uniform } from './random-data';

interface Answer {
  kstwo: number[];
  smirnov: number[];
  ks: Array<[number, number]>;
  chdtrc: number[];
}

const u = uniform(2024);
const NS = [1, 2, 3, 5, 8, 13, 40, 100, 140, 141, 300, 1000, 5000, 20000, 100000, 100001, 400000, 1_000_000];
const kstwo: Array<[number, number]> = NS.flatMap((n) => [
  // generic points spread over the distribution's bulk and tail (n·d² from 0.01 to 30)
  ...Array.from({ length: 8 }, (): [number, number] => [n, Math.min(0.999, Math.sqrt((0.01 + 30 * u() ** 2) / n))]),
  // the lattice k/n and its neighbours
  ...[1, 2, 3, Math.ceil(n / 3), Math.ceil(n / 2)].flatMap((k): Array<[number, number]> =>
    k / n < 1
      ? [
          [n, k / n],
          [n, k / n + 1e-12],
        ]
      : [],
  ),
  [n, 0.5],
  [n, 0.75],
]);
const smirnov: Array<[number, number]> = [2, 10, 141, 1000, 20000, 1_000_001].flatMap((n) => [
  ...Array.from({ length: 6 }, (): [number, number] => [n, Math.min(0.999, Math.sqrt((2.2 + 20 * u()) / n))]),
  [n, 0.5],
  [n, 0.6],
  [n, Math.min(0.99, 3 / n)],
]);
const SIZES: Array<[number, number]> = [
  [5, 5],
  [7, 3],
  [40, 60],
  [333, 1000],
  [1000, 1000],
  [2999, 3001],
  [10000, 10000],
  [10000, 7],
  [10001, 10001],
  [10001, 2],
  [20000, 15000],
  [500000, 400000],
];
const ks: Array<[number, number, number]> = SIZES.flatMap(([n1, n2]) =>
  [0.001, 0.01, 0.03, 0.1, 0.2, 0.5, 0.9, u() * 0.2, u() * 0.05].map((d): [number, number, number] => [n1, n2, d]),
);
const chdtrc: Array<[number, number]> = [1, 2, 3, 7, 30, 200].flatMap((df) =>
  [0.01, 0.5, 1, df, 2 * df + 10, 10 * df + 100].map((x): [number, number] => [df, x]),
);

describe("scipy's distribution functions, ported", () => {
  let expected: Answer;
  beforeAll(() => {
    expected = runPython<Answer>(path.join(__dirname, 'distributions_reference.py'), { kstwo, smirnov, ks, chdtrc });
  }, 300_000);

  it('kstwo.sf', () => {
    const m = new Mismatches();
    kstwo.forEach(([n, d], i) => m.number(`kstwo.sf(${d}, ${n})`, kstwoSf(d, n), expected.kstwo[i], P_TOLERANCE));
    expect(m.list).toEqual([]);
  });

  it('smirnov', () => {
    const m = new Mismatches();
    smirnov.forEach(([n, x], i) => m.number(`smirnov(${n}, ${x})`, smirnovSf(n, x), expected.smirnov[i], P_TOLERANCE));
    expect(m.list).toEqual([]);
  });

  it("ks_2samp's statistic and p-value for a given D", () => {
    const m = new Mismatches();
    ks.forEach(([n1, n2, d], i) => {
      const r = ksTest(d, n1, n2);
      m.number(`ks(${n1}, ${n2}, ${d}) statistic`, r.statistic, expected.ks[i][0]);
      m.number(`ks(${n1}, ${n2}, ${d}) p`, r.pValue, expected.ks[i][1], P_TOLERANCE);
    });
    expect(m.list).toEqual([]);
  }, 60_000);

  it('chdtrc, relative to its size in the far tail', () => {
    const m = new Mismatches();
    chdtrc.forEach(([df, x], i) => {
      const e = expected.chdtrc[i];
      m.number(`chdtrc(${df}, ${x})`, chiSquareSf(x, df) / (e || 1), e === 0 ? 0 : 1, 1e-12);
    });
    expect(m.list).toEqual([]);
  });
});
