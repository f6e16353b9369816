/** An object whose keys are all `$operators` (`{ $gt: 3 }`); any other object is a literal to compare. */
export function isOperatorObject(obj: object): boolean {
  const keys = Object.keys(obj);
  return keys.length > 0 && keys.every((k) => k[0] === '$');
}
