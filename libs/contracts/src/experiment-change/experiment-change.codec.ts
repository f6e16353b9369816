import type { EncodedMessage } from '../training-request/contract-message.reader';
import { ContractMessageReader } from '../training-request/contract-message.reader';
import { ContentTypes } from '../wire/content-type';

/**
 * An ExperimentChange (experiments.changes.v1, JSON, keyed by experiment key): the experiment's whole
 * definition after a change, so a consumer that keeps the newest version per key holds every
 * experiment and assigns locally. `definition` is null when the experiment was deleted. Consumers
 * validate the definition themselves (defineExperiment), so a definition from a newer schema is
 * judged by the code that uses it.
 */
export interface ExperimentChangeMessage {
  readonly key: string;
  /** Starts at 1, one more per change: a consumer keeps the highest it has seen. */
  readonly version: number;
  readonly changedAtMs: number;
  readonly actor?: string;
  readonly definition: Readonly<Record<string, unknown>> | null;
}

const FIELDS: ReadonlySet<string> = new Set(['key', 'version', 'changedAtMs', 'actor', 'definition']);
const reader = new ContractMessageReader('ExperimentChange');

/** Checks one parsed JSON value; throws a ContractMessageError naming the field. */
export function experimentChangeFromJson(json: unknown): ExperimentChangeMessage {
  const c = reader.object(json, FIELDS);
  const key = reader.requiredId(c.key, 'key');
  const version =
    reader.optionalInt(c.version, 'version', 1) ?? reader.fail('missing_field', 'version is required', 'version');
  const changedAtMs = reader.requiredTime(c.changedAtMs, 'changedAtMs');
  const actor = reader.optionalId(c.actor, 'actor');
  const definition = c.definition === null ? null : reader.object(c.definition);
  if (definition !== null && definition.key !== key)
    reader.fail('invalid_value', `definition.key must equal key ${JSON.stringify(key)}`, 'definition.key');
  return { key, version, changedAtMs, ...(actor === undefined ? {} : { actor }), definition };
}

/** Decodes one experiments.changes.v1 record value (JSON only). */
export function decodeExperimentChange(value: Uint8Array): ExperimentChangeMessage {
  return experimentChangeFromJson(reader.jsonObject(value));
}

export function encodeExperimentChange(msg: ExperimentChangeMessage): EncodedMessage {
  return { value: Buffer.from(JSON.stringify(msg), 'utf8'), contentType: ContentTypes.json };
}
