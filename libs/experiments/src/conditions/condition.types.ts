/**
 * A targeting condition in GrowthBook's (MongoDB-like) syntax: keys are attribute paths
 * (`"device.os"`) or the logical operators `$and`, `$or`, `$nor`, `$not`, `$savedGroup`.
 */
export type Condition = { readonly [pathOrOperator: string]: unknown };

/** The unit's attributes a condition is evaluated against. */
export type Attributes = { readonly [name: string]: unknown };

/** A saved group: a bare id list (GrowthBook's first form) or a typed entry. */
export type SavedGroup =
  | readonly (string | number)[]
  | { readonly type: 'list'; readonly attributeKey: string; readonly values: readonly (string | number)[] }
  | { readonly type: 'condition'; readonly condition: Condition };

export type SavedGroups = { readonly [id: string]: SavedGroup };

/** What an operator needs to recurse into nested conditions. */
export interface ConditionContext {
  readonly savedGroups: SavedGroups;
  /** Saved-group ids being resolved, so that groups referring to each other stop. */
  readonly visited: ReadonlySet<string>;
  evalValue(condition: unknown, actual: unknown, insensitive?: boolean): boolean;
  evalCondition(obj: unknown, condition: Condition, visited?: ReadonlySet<string>): boolean;
}

/** What is wrong in a condition as written, and where (`condition.age.$gt`). */
export interface ConditionProblem {
  readonly field: string;
  readonly message: string;
}

/** Checks of an operator's nested arguments when a definition is validated. */
export interface ArgumentChecks {
  value(condition: unknown, field: string): ConditionProblem | undefined;
  condition(condition: unknown, field: string): ConditionProblem | undefined;
}

/** One `$operator` on an attribute's value. */
export interface ConditionOperator {
  /** GrowthBook's result for the attribute's value `actual` against the operator's argument. */
  evaluate(actual: unknown, expected: unknown, ctx: ConditionContext): boolean;
  /** What is wrong with the argument as written (at `field`), or undefined. */
  check(expected: unknown, field: string, nested: ArgumentChecks): ConditionProblem | undefined;
}
