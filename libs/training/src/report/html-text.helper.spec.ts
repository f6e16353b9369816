import { escapeHtml, formatNumber, formatShare, formatValue, MISSING } from './html-text.helper';

describe('report text helpers', () => {
  it('escape the five HTML-significant characters, for content and attributes alike', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml(null)).toBe('');
  });

  it('print missing, NaN and infinite numbers as the dash', () => {
    for (const v of [null, undefined, NaN, Infinity, -Infinity]) expect(formatNumber(v)).toBe(MISSING);
    expect(formatShare(NaN, 10)).toBe(MISSING);
    expect(formatShare(1, 0)).toBe(MISSING);
  });

  it('print integers with separators and fractions with fixed places', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(0.75, 4)).toBe('0.7500');
    expect(formatNumber(0.00001234)).toBe('1.2e-5');
    expect(formatShare(1, 8)).toBe('12.5%');
  });

  it('print parameters as given and nested values as escaped, indented JSON', () => {
    expect(formatValue(0.05)).toBe('0.05');
    expect(formatValue(NaN)).toBe(MISSING);
    expect(formatValue('')).toBe(MISSING);
    expect(formatValue({ a: [1, '<b>'], n: NaN })).toBe(
      `<pre>{\n  &quot;a&quot;: [\n    1,\n    &quot;&lt;b&gt;&quot;\n  ],\n  &quot;n&quot;: &quot;${MISSING}&quot;\n}</pre>`,
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(formatValue(cycle)).toBe(`<pre>${MISSING}</pre>`);
  });
});
