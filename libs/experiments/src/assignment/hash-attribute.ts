import type { Attributes } from '../conditions/condition.types';

/**
 * The attribute hashed and its value; GrowthBook counts a falsy value ("", 0, false, null) as
 * missing and reports it as "".
 */
export function hashAttributeOf(
  attributes: Attributes,
  attribute = 'id',
): { hashAttribute: string; hashValue: unknown } {
  const value = attributes[attribute];
  return { hashAttribute: attribute, hashValue: value ? value : '' };
}
