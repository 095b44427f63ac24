import type { Mode } from '../config/load.js'
import { reconcilePool, type VersionPool } from '../pool/pool.js'
import { compileShaping, type CompiledShaping } from './compile.js'
import { exactSplitFor } from './decide.js'
import type { ExactSplit } from './swrr.js'
import type { RoutingSpec, TableSpec } from './spec.js'
import type { MirrorSpec, RouteSpec, ShapingSpec } from './types.js'

/**
 * The immutable snapshot the data plane reads. A new table is built for every change and
 * swapped in with one assignment, so a request sees either the old table or the new one,
 * never a mix (a blue/green flip is exactly that one assignment).
 */
export interface RoutingTable {
  readonly revision: number
  readonly mode: Mode
  readonly stable: VersionPool
  readonly canary: VersionPool | null
  /** Canary share of the main listener, 0..10000 basis points. */
  readonly weightBp: number
  /** Header routes made by the rollout's steps, in order (first match wins); empty when none. */
  readonly routes: RouteSpec[]
  /** The mirror made by a setMirrorRoute step; null when none. */
  readonly mirror: MirrorSpec | null
  /** The config's shaping with this table's routes and mirror, compiled once for every request it serves. */
  readonly shaping: CompiledShaping
  /** With `balance: exact`, the round robin at this weight (kept across tables while the weight stays). */
  readonly exact: ExactSplit | null
}

/**
 * The config's static shaping joined with what the rollout's steps made: static routes come
 * first, then the steps' routes in the order they were added; a step's mirror replaces the
 * config's while it lasts.
 */
function shapingOf(base: ShapingSpec, spec: TableSpec): CompiledShaping {
  if (spec.routes.length === 0 && spec.mirror === null) return compileShaping(base).shaping
  return compileShaping({ ...base, routes: [...base.routes, ...spec.routes], mirror: spec.mirror ?? base.mirror }).shaping
}

export function buildTable(spec: TableSpec, previous: RoutingTable | null, base: ShapingSpec = noShapingSpec): RoutingTable {
  const pools = new Map<string, VersionPool>()
  if (previous !== null) {
    pools.set(previous.stable.name, previous.stable)
    if (previous.canary !== null) pools.set(previous.canary.name, previous.canary)
  }
  const stable = reconcilePool(pools.get(spec.stable.name), spec.stable.name, spec.stable.backends)
  const canary = spec.canary === null ? null : reconcilePool(pools.get(spec.canary.name), spec.canary.name, spec.canary.backends)
  const weightBp = canary === null ? 0 : spec.weightBp
  const shaping = shapingOf(base, spec)
  return Object.freeze({
    revision: (previous?.revision ?? 0) + 1,
    mode: spec.mode,
    stable,
    canary,
    weightBp,
    routes: spec.routes,
    mirror: spec.mirror,
    shaping,
    exact: exactSplitFor(shaping, weightBp, previous?.exact ?? null),
  })
}

/** No overrides, routes, stickiness or mirror: every request by weight. */
export const noShapingSpec: ShapingSpec = {
  overrideHeader: null, overrideCookie: null, routes: [], stickiness: null, balance: 'random', mirror: null,
  limits: { mirrorBodyBytes: 0, mirrorsInFlight: 1, regexInputChars: 1024 },
}

/**
 * A data plane's table: built from each routing spec it is sent and swapped in with one
 * assignment. The data plane reads `current` once per request.
 */
export class TableHolder {
  current: RoutingTable
  /** The version of the spec `current` was built from. */
  version: number
  private readonly listeners: Array<(t: RoutingTable) => void> = []

  constructor(initial: RoutingSpec) {
    this.version = initial.version
    this.current = buildTable(initial.table, null, initial.shaping)
  }

  /** Builds and swaps in the table of `spec`; a spec not newer than the one applied changes nothing (null). */
  apply(spec: RoutingSpec): RoutingTable | null {
    if (spec.version <= this.version) return null
    const next = buildTable(spec.table, this.current, spec.shaping)
    this.version = spec.version
    this.current = next
    for (const l of this.listeners) l(next)
    return next
  }

  onApply(listener: (t: RoutingTable) => void): void {
    this.listeners.push(listener)
  }
}
