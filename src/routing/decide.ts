import type { CompiledShaping } from './compile.js'
import { cookieValue, resolveOverride, type OverrideOutcome } from './overrides.js'
import { newBucket, stickyBucket } from './sticky.js'
import { ExactSplit } from './swrr.js'
import type { RequestFacts, RouteTarget, RoutingReason } from './types.js'
import { FULL_BP } from './weight.js'

/** What a decision reads of a routing table; `RoutingTable` (with its pools) is one. */
export interface DecideTable<V extends { readonly name: string }> {
  readonly stable: V
  readonly canary: V | null
  readonly weightBp: number
}

export interface Decision<V> {
  /** The version that serves: the table's stable or canary, so `.name` is its name. */
  readonly version: V
  readonly reason: RoutingReason
  /** An override header or cookie was sent but named nothing in the table; count it. */
  readonly ignoredOverride: boolean
  /** A cookie-sticky request came without its cookie: set `bucketCookie(spec, assignBucket)`. */
  readonly assignBucket: number | null
}

/**
 * The one precedence (ARCHITECTURE.md, "Picking the version"), first that applies wins:
 *
 * 1. preview listener: the canary, or stable when none is in the table;
 * 2. override header, 3. override cookie: a version name, `always` or `never`; a value the
 *    table cannot honour falls through and sets `ignoredOverride`;
 * 4. routes, in order, first match wins (`route:NAME`); a route whose target is not in the
 *    table is skipped, before its conditions are tested;
 * 5. sticky bucket: `bucket < weightBp` is the canary; a cookie-sticky request without a
 *    cookie gets a fresh bucket now, used for this request too, and `assignBucket` set;
 * 6. weight: `exact` (smooth weighted round robin) when given, else a uniform draw.
 *
 * Pure: the randomness and the split's state come in. With nothing configured it reads no
 * header and allocates only the result; no regex runs unless a route reaches one.
 */
export function decide<V extends { readonly name: string }>(
  table: DecideTable<V>,
  shaping: CompiledShaping,
  listener: 'main' | 'preview',
  req: RequestFacts,
  random: () => number,
  exact: ExactSplit | null,
): Decision<V> {
  const { stable, canary } = table
  if (listener === 'preview') return decision(canary ?? stable, 'preview', false, null)

  let ignored = false
  const canaryName = canary === null ? null : canary.name
  if (shaping.overrideHeader !== null) {
    const o = resolveOverride(req.header(shaping.overrideHeader), stable.name, canaryName)
    if (o === 'stable' || o === 'canary') return decision(side(o, table), 'header', false, null)
    ignored = o === 'ignored'
  }
  if (shaping.overrideCookie !== null) {
    const o = resolveOverride(cookieValue(req.header('cookie'), shaping.overrideCookie), stable.name, canaryName)
    if (o === 'stable' || o === 'canary') return decision(side(o, table), 'cookie', ignored, null)
    ignored ||= o === 'ignored'
  }

  for (const r of shaping.routes) {
    const v = routeTarget(r.target, table)
    if (v !== null && r.test(req)) return decision(v, r.reason, ignored, null)
  }

  const sticky = shaping.stickiness
  if (sticky !== null) {
    let bucket = stickyBucket(sticky, req)
    let assign: number | null = null
    if (bucket === null && sticky.kind === 'cookie') bucket = assign = newBucket(random)
    if (bucket !== null) return decision(canary !== null && bucket < table.weightBp ? canary : stable, 'sticky', ignored, assign)
  }

  return decision(weighted(table, random, exact), 'weight', ignored, null)
}

/**
 * The `ExactSplit` for a table under this shaping: null for random balance, the previous one
 * while the weight is unchanged (so its window carries on across a swap that did not move
 * the weight), a fresh one otherwise. The data plane keeps one per listener process.
 */
export function exactSplitFor(shaping: CompiledShaping, weightBp: number, previous: ExactSplit | null): ExactSplit | null {
  if (shaping.balance !== 'exact') return null
  return previous !== null && previous.weightBp === weightBp ? previous : new ExactSplit(weightBp)
}

function decision<V>(version: V, reason: RoutingReason, ignoredOverride: boolean, assignBucket: number | null): Decision<V> {
  return { version, reason, ignoredOverride, assignBucket }
}

function side<V extends { readonly name: string }>(o: Exclude<OverrideOutcome, 'ignored' | 'absent'>, table: DecideTable<V>): V {
  // resolveOverride answers `canary` only when the table has one.
  return o === 'canary' && table.canary !== null ? table.canary : table.stable
}

function routeTarget<V extends { readonly name: string }>(t: RouteTarget, table: DecideTable<V>): V | null {
  if ('role' in t) return t.role === 'stable' ? table.stable : table.canary
  if (t.version === table.stable.name) return table.stable
  return table.canary !== null && t.version === table.canary.name ? table.canary : null
}

function weighted<V extends { readonly name: string }>(table: DecideTable<V>, random: () => number, exact: ExactSplit | null): V {
  const canary = table.canary
  if (canary === null) return table.stable
  const bp = table.weightBp
  // A split made for another weight is not used: a table swap must never run on the old
  // weight, even if the caller has not replaced its split yet.
  if (exact !== null && exact.weightBp === bp) return exact.pickCanary() ? canary : table.stable
  if (bp <= 0) return table.stable
  if (bp >= FULL_BP) return canary
  return random() * FULL_BP < bp ? canary : table.stable
}
