import type { FeatureValue } from '../definition/feature-view.types';
import { writeBatchResponse, type BatchFeaturesResponse } from './batch-response.writer';
import type { ColumnarRead, EncodingMemo, ViewColumns } from './read-answer.types';

// The online rows' templates are copied and their moving digits rewritten: every answer below is
// compared with JSON.stringify of the same answer built as objects, at times that keep, add or drop
// digits, carry past the rewritten ones, or go back before the template's time.
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

const views = [
  { name: 'timing', features: ['since_last', 'count', 'label', 'ratio'] },
  { name: 'fresh', features: ['a', 'b', 'c', 'd', 'e'] },
].map((v) => ({
  ...v,
  record: <T>(values: readonly T[]) =>
    Object.fromEntries(v.features.map((f, i) => [f, values[i]])) as Record<string, T>,
}));

function columns(asOf: number, sinceLast: number | null, freshness: (number | null)[]): ViewColumns[] {
  return [
    {
      version: 3,
      asOf,
      shifted: [0],
      values: [sinceLast, 42, 'a "b"', 1.5],
      freshness: [freshness[0], 5_000, 5_000, null],
    },
    { version: 7, asOf, shifted: [], values: [1, 2, 3, 4, 5], freshness },
  ];
}

interface Row {
  readonly id: string;
  readonly watermark: number | null;
  readonly columns: ViewColumns[];
  readonly memo?: EncodingMemo;
}

function readOf(atMs: number, rows: readonly Row[]): ColumnarRead {
  return {
    atMs,
    views,
    entityIds: rows.map((r) => r.id),
    online: Uint8Array.from(rows, (r) => (r.memo === undefined ? 0 : 1)),
    watermarks: Float64Array.from(rows, (r) => r.watermark ?? NaN),
    columns: rows.flatMap((r) => r.columns),
    memos: rows.map((r) => r.memo),
  };
}

/** The answer as objects: values and freshness moved by atMs − asOf, as readColumns defines them. */
function expected(atMs: number, rows: readonly Row[]): string {
  const shift = (x: FeatureValue | null, c: ViewColumns) => (x === null ? null : (x as number) + (atMs - c.asOf));
  const answer: BatchFeaturesResponse = {
    at: new Date(atMs).toISOString(),
    views: views.map((v, j) => ({ name: v.name, version: rows[0].columns[j].version, features: v.features })),
    results: rows.map((r) => ({
      entityId: r.id,
      path: r.memo === undefined ? 'offline' : 'online',
      watermark: r.watermark === null ? null : new Date(r.watermark).toISOString(),
      values: Object.fromEntries(
        views.map((v, j) => [
          v.name,
          r.columns[j].values.map((x, k) => (r.columns[j].shifted.includes(k) ? shift(x, r.columns[j]) : x)),
        ]),
      ),
      freshness: Object.fromEntries(
        views.map((v, j) => [v.name, r.columns[j].freshness.map((f) => shift(f, r.columns[j]))]),
      ),
    })),
  };
  return JSON.stringify(answer);
}

const written = (atMs: number, rows: readonly Row[]) => writeBatchResponse(readOf(atMs, rows)).toString();

describe('writeBatchResponse', () => {
  // Freshness that gains a digit (99,995 → 100,000), carries past the nine rewritten digits
  // (5,999,999,999 → 6,000,000,000), goes from one digit to two, and none; a 12-digit time since last.
  const rows: Row[] = [
    {
      id: 'e-1',
      watermark: T0 - 99_995,
      columns: columns(T0, 123_456_789_012, [99_995, 5_999_999_999, 7, null, 0]),
      memo: { gen: 1 },
    },
    {
      id: 'ünïcode "id"',
      watermark: null,
      columns: columns(T0, null, [null, null, null, null, null]),
      memo: { gen: 4 },
    },
    { id: 'e-3', watermark: T0 - 10, columns: columns(T0 - 60_000, 10, [10, 10, 60_010, 10, 1]) },
  ];

  it.each([0, 1, 2, 4, 5, 6, 12, 1_000, 299_999, -3, -5, 2])('answers as JSON.stringify at T0 %+d ms', (d) => {
    expect(written(T0 + d, rows)).toBe(expected(T0 + d, rows));
  });

  it('keeps a template while no moving number changes its digit count', () => {
    const memo: EncodingMemo = { gen: 1 };
    const row: Row = {
      id: 'e',
      watermark: null,
      columns: columns(T0, 50_000, [1_000, 2_000_000_000_000, null, 3_000, 40_000]),
      memo,
    };
    written(T0 + 1, [row]);
    const first = memo.row;
    expect(written(T0 + 3_000, [row])).toBe(expected(T0 + 3_000, [row]));
    expect(memo.row).toBe(first);
  });

  it('makes the template again once a moving number gains a digit', () => {
    const memo: EncodingMemo = { gen: 1 };
    const row: Row = { id: 'e', watermark: null, columns: columns(T0, 50, [9_990, 1, 2, 3, 4]), memo };
    written(T0, [row]);
    const first = memo.row;
    expect(written(T0 + 20, [row])).toBe(expected(T0 + 20, [row]));
    expect(memo.row).not.toBe(first);
  });

  it('makes the template again for new columns (another generation)', () => {
    const memo: EncodingMemo = { gen: 1 };
    const before: Row = { id: 'e', watermark: null, columns: columns(T0, 50, [1, 2, 3, 4, 5]), memo };
    written(T0, [before]);
    const after: Row = { ...before, columns: columns(T0, 70, [6, 7, 8, 9, 10]), memo: { gen: 2, row: memo.row } };
    expect(written(T0 + 1, [after])).toBe(expected(T0 + 1, [after]));
  });

  it('writes column by column a row whose moving numbers are not integers', () => {
    const row: Row = { id: 'e', watermark: null, columns: columns(T0, 0.5, [2e15, 1, 2, 3, 4]), memo: { gen: 1 } };
    for (const d of [0, 7, -2]) expect(written(T0 + d, [row])).toBe(expected(T0 + d, [row]));
  });
});
