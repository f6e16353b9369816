/**
 * A version string that compares as text in version order, as GrowthBook's `$v…` operators do:
 * "v1.2.3-rc.1+build" → numeric parts left-padded to 5, "-"-joined; a release without a pre-release
 * tag gets "~" appended so that it sorts after its pre-releases.
 */
export function paddedVersionString(input: unknown): string {
  const given = typeof input === 'number' ? String(input) : input;
  const text = given && typeof given === 'string' ? given : '0';
  const parts = text.replace(/(^v|\+.*$)/g, '').split(/[-.]/);
  if (parts.length === 3) parts.push('~');
  return parts.map((v) => (/^[0-9]+$/.test(v) ? v.padStart(5, ' ') : v)).join('-');
}
