import { ContractMessageReader } from '../training-request/contract-message.reader';

/** JSON cannot hold NaN or ±Infinity; they travel as these strings, as in protobuf's JSON mapping. */
const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** How a double field is judged: which values it may hold. */
export interface NumberRule {
  /** NaN and ±Infinity are refused (invalid_value). */
  readonly finite?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/**
 * The shared contract checks plus what a Prediction has and the other contracts do not: doubles,
 * and lists of small objects (top factors, inputs) whose fields are named by their path, e.g.
 * "inputs[2].stalenessMs".
 */
export class PredictionMessageReader extends ContractMessageReader {
  /** A double; "NaN", "Infinity" and "-Infinity" (JSON's spelling) are read as those numbers. Absent: undefined. */
  optionalNumber(value: unknown, field: string, rule: NumberRule = {}): number | undefined {
    if (value === undefined || value === null) return undefined;
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(NON_FINITE, value))
      n = NON_FINITE[value];
    else return this.fail('wrong_type', `${field} must be a number, got ${describeValue(value)}`, field);
    if (rule.finite === true && !Number.isFinite(n))
      this.fail('invalid_value', `${field} must be a finite number, got ${n}`, field);
    if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) {
      this.fail(
        'invalid_value',
        `${field} must be from ${rule.min ?? '-Infinity'} to ${rule.max ?? 'Infinity'}, got ${n}`,
        field,
      );
    }
    return n;
  }

  requiredNumber(value: unknown, field: string, rule: NumberRule = {}): number {
    const n = this.optionalNumber(value, field, rule);
    if (n === undefined) this.fail('missing_field', `${field} is required`, field);
    return n;
  }

  /** The elements of a list field (absent: none). */
  list(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail('wrong_type', `${field} must be an array, got ${describeValue(value)}`, field);
    return value;
  }

  /** One element of a list of objects; with `known`, a key outside it is refused as unknown_field at its path. */
  element(value: unknown, path: string, known?: ReadonlySet<string>): Record<string, unknown> {
    if (!isPlainObject(value)) this.fail('wrong_type', `${path} must be an object, got ${describeValue(value)}`, path);
    if (known !== undefined) {
      const unknown = Object.keys(value)
        .filter((key) => !known.has(key))
        .sort();
      if (unknown.length > 0)
        this.fail('unknown_field', `${path}.${unknown[0]} is not a field`, `${path}.${unknown[0]}`);
    }
    return value;
  }
}
