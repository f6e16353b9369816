/** What `pulse score` prints when done (as text, or one JSON object with --json). */
export interface ScoreSummary {
  readonly model: string;
  /** The version that scored; 0 when the rule-based fallback did. */
  readonly version: number;
  readonly alias: string;
  readonly as_of: string;
  readonly rows: number;
  /** Lines of the entities file naming an entity already listed. */
  readonly duplicates_skipped: number;
  /** Where the features came from (unknown through the service). */
  readonly features: { readonly online: number; readonly offline: number } | null;
  readonly fallback: boolean;
  readonly out: string;
  readonly seconds: number;
  readonly rows_per_second: number;
  /** database: scored here from the registry and the event log; service: by the running inference-service. */
  readonly via: 'database' | 'service';
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatScoreSummary(s: ScoreSummary): string {
  const who = s.fallback ? `${s.model}'s rule-based fallback` : `${s.model} version ${s.version} (${s.alias})`;
  const lines = [
    `scored ${int(s.rows)} entities with ${who} as of ${s.as_of} into ${s.out === '-' ? 'stdout' : s.out} in ${s.seconds.toFixed(1)} s (${int(s.rows_per_second)} rows/s, ${s.via === 'service' ? "the service's batch endpoint" : 'from the database'})`,
  ];
  if (s.features)
    lines.push(
      `features: ${int(s.features.online)} from the online state, ${int(s.features.offline)} replayed from the event log`,
    );
  if (s.duplicates_skipped > 0) lines.push(`${int(s.duplicates_skipped)} repeated entity ids scored once`);
  return lines.join('\n');
}
