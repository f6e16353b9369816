// The report's only styling, inlined so the page is one self-contained file (no external URLs).
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --pass: #1a7f37; --fail: #c62828; --accent: #174a8c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
header, section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 20px; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 0 0 12px; }
h2 small, th small { color: var(--muted); font-weight: normal; }
dl.facts { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 0; }
dl.facts dt, dl.pairs dt { color: var(--muted); font-size: 12px; }
dl.facts dd, dl.pairs dd { margin: 0; font-weight: 600; }
dl.pairs { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px 24px; margin: 0; }
dl.pairs dd { font-weight: normal; overflow-wrap: anywhere; }
pre { margin: 0; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; background: #f3f5f8; padding: 6px 8px; border-radius: 4px; }
table { border-collapse: collapse; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; }
tr.attribute th { background: #eef2f8; }
tr.pass .verdict, tr.fail .verdict { font-weight: 700; text-transform: uppercase; font-size: 12px; }
tr.pass .verdict { color: var(--pass); }
tr.fail .verdict { color: var(--fail); }
.side-by-side { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
td.share { position: relative; min-width: 90px; }
td.share span:last-child { position: relative; }
.share-bar { position: absolute; left: 0; top: 20%; height: 60%; background: #dbe6f5; z-index: 0; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: 12px; text-align: center; }
svg { font: 11px system-ui, sans-serif; overflow: visible; }
svg .grid { stroke: #eceff4; }
svg .axis { stroke: #98a1b2; }
svg .tick { fill: var(--muted); }
svg .label { fill: var(--ink); font-size: 12px; }
svg .empty { fill: var(--muted); font-size: 14px; }
svg .reference { stroke: #9aa3b5; stroke-dasharray: 4 4; }
svg polyline.data-mark { stroke: var(--accent); stroke-width: 2; }
svg circle.data-mark { fill: var(--accent); fill-opacity: 0.55; }
svg rect.cell { stroke: #fff; }
svg .count { fill: var(--ink); font-size: 12px; }
svg .count.on-dark { fill: #fff; }
svg rect.gain { fill: #3b6fb6; }
svg rect.shap { fill: #d9822b; }
`;
