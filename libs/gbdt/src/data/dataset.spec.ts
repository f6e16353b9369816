import { createDataset, groupSizesFromQueryIds } from './dataset';

const col = (...xs: number[]) => Float32Array.from(xs);

describe('createDataset', () => {
  it('assembles a dataset with default feature names', () => {
    const d = createDataset({ columns: [col(1, 2), col(3, NaN)], label: [0, 1] });
    expect([d.numRows, d.numFeatures, d.featureNames]).toEqual([2, 2, ['f0', 'f1']]);
    expect(d.label).toBeInstanceOf(Float64Array);
  });
  it.each([
    ['columns not an array', { columns: 'x' }, TypeError, /columns must be an array/],
    ['a non-Float32Array column', { columns: [[1, 2]] }, TypeError, /columns\[0\] must be a Float32Array/],
    ['ragged columns', { columns: [col(1, 2), col(1)] }, RangeError, /columns\[1\] has 1 rows, expected 2/],
    ['too few names', { columns: [col(1)], featureNames: [] }, RangeError, /featureNames has 0 names/],
    ['duplicate names', { columns: [col(1), col(2)], featureNames: ['a', 'a'] }, RangeError, /duplicate/],
    ['a short label', { columns: [col(1, 2)], label: [1] }, RangeError, /label has 1 values, expected 2/],
    ['a NaN label', { columns: [col(1)], label: [NaN] }, RangeError, /label\[0\] must be finite/],
    ['a negative weight', { columns: [col(1)], weight: [-1] }, RangeError, /weight\[0\]/],
    ['groups not summing to the rows', { columns: [col(1, 2, 3)], group: [2] }, RangeError, /group sizes sum to 2/],
    ['an empty group', { columns: [col(1)], group: [1, 0] }, RangeError, /group\[1\]/],
  ])('rejects %s', (_n, input, type, message) => {
    expect(() => createDataset(input as never)).toThrow(type as ErrorConstructor);
    expect(() => createDataset(input as never)).toThrow(message as RegExp);
  });
});

describe('groupSizesFromQueryIds', () => {
  it('counts contiguous runs', () => expect(Array.from(groupSizesFromQueryIds([7, 7, 3, 3, 3, 9]))).toEqual([2, 3, 1]));
  it('rejects a query split in two runs', () => expect(() => groupSizesFromQueryIds([1, 2, 1])).toThrow(/contiguous/));
});
