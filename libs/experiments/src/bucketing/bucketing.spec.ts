import { getBucketRanges, getEqualWeights } from './bucket-ranges';
import { chooseVariation } from './choose-variation';
import { inNamespace } from './namespace';

describe('getBucketRanges', () => {
  it('splits evenly by default', () =>
    expect(getBucketRanges(2, 1)).toEqual([
      [0, 0.5],
      [0.5, 1],
    ]));
  it('keeps each start when coverage shrinks', () =>
    expect(getBucketRanges(2, 0.5)).toEqual([
      [0, 0.25],
      [0.5, 0.75],
    ]));
  it('follows uneven weights', () =>
    expect(getBucketRanges(2, 1, [0.4, 0.6])).toEqual([
      [0, 0.4],
      [0.4, 1],
    ]));
  it('clamps coverage above 1', () =>
    expect(getBucketRanges(2, 1.5)).toEqual([
      [0, 0.5],
      [0.5, 1],
    ]));
  it('clamps negative coverage', () =>
    expect(getBucketRanges(2, -0.2)).toEqual([
      [0, 0],
      [0.5, 0.5],
    ]));
  it('evens out weights off 1', () =>
    expect(getBucketRanges(2, 1, [0.7, 0.6])).toEqual([
      [0, 0.5],
      [0.5, 1],
    ]));
  it('evens out weights of the wrong count', () => expect(getBucketRanges(3, 1, [0.5, 0.5])).toHaveLength(3));
  it('gives no weights for no variations', () => expect(getEqualWeights(0)).toEqual([]));
});

describe('chooseVariation', () => {
  it('picks the range holding n', () =>
    expect(
      chooseVariation(0.6, [
        [0, 0.5],
        [0.5, 1],
      ]),
    ).toBe(1));
  it('treats ends as exclusive', () =>
    expect(
      chooseVariation(0.25, [
        [0, 0.25],
        [0.5, 0.75],
      ]),
    ).toBe(-1));
  it('skips empty ranges', () =>
    expect(
      chooseVariation(0.5, [
        [0, 0.5],
        [0.5, 0.5],
        [0.5, 1],
      ]),
    ).toBe(2));
});

describe('inNamespace', () => {
  it('places unit 1 outside [0, 0.4) of namespace1', () =>
    expect(inNamespace('1', ['namespace1', 0, 0.4])).toBe(false));
  it('places unit 3 inside [0, 0.4) of namespace2', () => expect(inNamespace('3', ['namespace2', 0, 0.4])).toBe(true));
});
