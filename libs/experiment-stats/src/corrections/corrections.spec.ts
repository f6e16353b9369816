import { benjaminiHochberg } from './benjamini-hochberg';
import { CORRECTIONS } from './correction.registry';
import { holm } from './holm';

// statsmodels multipletests(p, method='holm' | 'fdr_bh')[1]
const p = [0.01, 0.04, 0.03, 0.005, 0.2];

describe('multiple-comparison corrections', () => {
  it('holm', () => expect(holm(p)).toEqual([0.04, 0.09, 0.09, 0.025, 0.2]));
  it('benjamini–hochberg', () =>
    expect(benjaminiHochberg(p)).toEqual([
      0.024999999999999998, 0.049999999999999996, 0.049999999999999996, 0.024999999999999998, 0.2,
    ]));
  it('holm caps at 1', () => expect(holm([0.4, 0.5])).toEqual([0.8, 0.8]));
  it('bh caps at 1 and keeps ties equal', () => expect(benjaminiHochberg([0.9, 0.9, 1])).toEqual([1, 1, 1]));
  it('one p-value is its own adjustment', () => expect(holm([0.03])).toEqual([0.03]));
  it('an empty family', () => expect(benjaminiHochberg([])).toEqual([]));
  it('none copies', () => expect(CORRECTIONS.none(p)).toEqual(p));
  it('registry names', () => expect(Object.keys(CORRECTIONS)).toEqual(['none', 'holm', 'bh']));
  it('refuses a p-value above 1', () =>
    expect(() => holm([0.1, 1.5])).toThrow(new RangeError('pValues[1] must be a p-value in [0, 1], got 1.5')));
  it('refuses NaN', () => expect(() => benjaminiHochberg([NaN])).toThrow(/pValues\[0\] must be a p-value/));
});
