import { assertInteger } from '@pulse/core';
import { channelPreferenceDrift } from './channel-preference.drift';
import { deliveryOutageDrift } from './delivery-outage.drift';
import { difficultyDrift } from './difficulty.drift';
import type { DriftContext, DriftKind, DriftKindSpec, DriftOptions, ResolvedDrift } from './drift-options';
import { newRegionDrift } from './new-region.drift';

/** The kinds of world drift, by name: a new kind is one file and one line here. */
export const DRIFT_KINDS: Readonly<Record<DriftKind, DriftKindSpec>> = {
  'channel-preference': channelPreferenceDrift as DriftKindSpec,
  'delivery-outage': deliveryOutageDrift as DriftKindSpec,
  difficulty: difficultyDrift as DriftKindSpec,
  'new-region': newRegionDrift as DriftKindSpec,
};

/** Validates each drift (errors name `drift` or `drift[i]` and the field) and resolves its defaults. */
export function resolveDrifts(
  drift: DriftOptions | readonly DriftOptions[] | undefined,
  context: DriftContext,
): ResolvedDrift[] {
  if (drift === undefined) return [];
  const list: readonly DriftOptions[] = Array.isArray(drift) ? drift : [drift as DriftOptions];
  return list.map((d, i) => {
    const name = Array.isArray(drift) ? `drift[${i}]` : 'drift';
    if (typeof d !== 'object' || d === null)
      throw new TypeError(`${name} must be an object, got ${d === null ? 'null' : typeof d}`);
    const spec = DRIFT_KINDS[d.kind];
    if (spec === undefined)
      throw new RangeError(`${name}.kind must be one of ${Object.keys(DRIFT_KINDS).join(', ')}, got ${String(d.kind)}`);
    assertInteger(d.day, `${name}.day`, 0, context.live ? 1_000_000 : context.days);
    return spec.resolve(d, name, context);
  });
}
