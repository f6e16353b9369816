// The page's header: which model and version this is, from which spec, and when it was trained.
import type { ReportInput } from '../../evaluate/evaluation.types';
import { escapeHtml, formatNumber, formatValue, MISSING } from '../html-text.helper';

export function reportTitle(input: ReportInput): string {
  const version = input.version === null ? 'unregistered' : `v${formatNumber(input.version)}`;
  return `${input.model || MISSING} ${version}`;
}

export function headerSection(input: ReportInput): string {
  const facts: [string, string][] = [
    ['model', formatValue(input.model)],
    ['version', input.version === null ? 'unregistered' : escapeHtml(formatNumber(input.version))],
    ['spec version', escapeHtml(formatNumber(input.specVersion))],
    ['created', formatValue(input.createdAt)],
    ['task', formatValue(input.evaluation.task)],
  ];
  return (
    `<header><h1>Training report: ${escapeHtml(reportTitle(input))}</h1><dl class="facts">` +
    facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('') +
    '</dl></header>'
  );
}
