import type { DecideTable } from './decide.js'

/** What the fallback reads of a version: how many of its backends are candidates now. */
export interface Servable {
  readonly name: string
  readonly available: { readonly length: number }
}

/**
 * The version that serves a decision. A version with no available backend has weight 0 for
 * as long as that lasts, whatever chose it (the weight, a sticky bucket, an override header
 * or cookie, a route, or the preview listener): its request goes to the other version of the
 * table, which can serve it, rather than to a 503. A client that pinned a version this way
 * can tell from `x-ramp-version` when `versionHeader.response` is on.
 *
 * When the other version has no available backend either (or there is none), the decision
 * stands: that is panic mode, where every backend is tried as if healthy (src/pool/p2c.ts).
 */
export function servingVersion<V extends Servable>(table: DecideTable<V>, decided: V): V {
  if (decided.available.length > 0) return decided
  const other = decided === table.stable ? table.canary : table.stable
  return other !== null && other.available.length > 0 ? other : decided
}
