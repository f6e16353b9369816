// The training report: one self-contained HTML page per trained version, with inline CSS and SVG
// plots only (no script, no external URL), so it can be archived with the model and opened offline.
import type { ReportInput } from '../evaluate/evaluation.types';
import { escapeHtml } from './html-text.helper';
import { REPORT_CSS } from './report.css';
import { dataSection } from './sections/data.section';
import { fairnessSection } from './sections/fairness.section';
import { gatesSection } from './sections/gates.section';
import { headerSection, reportTitle } from './sections/header.section';
import { metricsSection } from './sections/metrics.section';
import { lineageSection, paramsSection } from './sections/params.section';
import { confusionSection, curvesSection, importanceSection } from './sections/plots.section';

// The page needs no script; the policy makes sure none runs even if some input slipped past escaping.
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** Renders the report as an HTML5 document; the same input always gives the same string. */
export function renderTrainingReport(input: ReportInput): string {
  const e = input.evaluation;
  const sections = [
    headerSection(input),
    metricsSection(e),
    gatesSection(input.gates),
    dataSection(e),
    curvesSection(e),
    confusionSection(e),
    importanceSection(e),
    fairnessSection(e.fairness),
    paramsSection(input.params),
    lineageSection(input.lineage),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Training report: ${escapeHtml(reportTitle(input))}</title>`,
    `<style>${REPORT_CSS}</style></head>`,
    `<body><main>${sections.filter(Boolean).join('\n')}</main></body></html>`,
    '',
  ].join('\n');
}
