// Training parameters and lineage as definition lists; nested values print as indented JSON.
import { escapeHtml, formatValue, MISSING } from '../html-text.helper';

export function paramsSection(params: Readonly<Record<string, unknown>>): string {
  return `<section id="params"><h2>Training parameters</h2>${definitionList(params)}</section>`;
}

export function lineageSection(lineage: Readonly<Record<string, unknown>>): string {
  return `<section id="lineage"><h2>Lineage</h2>${definitionList(lineage)}</section>`;
}

function definitionList(entries: Readonly<Record<string, unknown>>): string {
  const items = Object.entries(entries).map(
    ([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${formatValue(v)}</dd></div>`,
  );
  return items.length === 0 ? `<p>${MISSING}</p>` : `<dl class="pairs">${items.join('')}</dl>`;
}
