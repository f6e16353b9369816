import { ExampleSet } from '../examples/example-set';
import { timeSplit } from './time-split';

const H = 3_600_000;

function examples(times: number[]): ExampleSet {
  const set = new ExampleSet(['x'], []);
  times.forEach((t, i) => set.add(Float32Array.of(i), i % 2, t, `e${i % 7}`, `t${i}`, {}));
  return set;
}

describe('timeSplit', () => {
  it('orders train < validation < test in time and purges labels that reach into the test period', () => {
    const set = examples(Array.from({ length: 100 }, (_, i) => i * H));
    const split = timeSplit(set, { validation: 0.15, test: 0.15 }, 5 * H);
    const times = (rows: Int32Array) => Array.from(rows, (r) => set.time(r));
    expect(Math.max(...times(split.train))).toBeLessThan(Math.min(...times(split.validation)));
    expect(Math.max(...times(split.validation))).toBeLessThan(Math.min(...times(split.test)));
    expect(split.test.length).toBe(15);
    expect(split.testStartMs).toBe(85 * H);
    // examples at 81h..84h have labels ending after 85h: purged
    expect(split.purged).toBe(4);
    expect(Math.max(...times(split.validation)) + 5 * H).toBeLessThanOrEqual(split.testStartMs);
    expect(split.train.length + split.validation.length + split.test.length + split.purged).toBe(100);
  });

  it('keeps every example of one instant in one split', () => {
    const set = examples([...Array(50).fill(0), ...Array(50).fill(10 * H)]);
    const split = timeSplit(set, { validation: 0.2, test: 0.3 }, H);
    expect(split.test.length).toBe(50);
    expect(new Set(Array.from(split.test, (r) => set.time(r)))).toEqual(new Set([10 * H]));
  });
});
