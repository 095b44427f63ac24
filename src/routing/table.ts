import type { Mode } from '../config/load.js'
import { reconcilePool, type VersionPool } from '../pool/pool.js'

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
}

export interface VersionRef {
  name: string
  backends: readonly string[]
}

export interface TableSpec {
  mode: Mode
  stable: VersionRef
  canary: VersionRef | null
  weightBp: number
}

export function buildTable(spec: TableSpec, previous: RoutingTable | null): RoutingTable {
  const pools = new Map<string, VersionPool>()
  if (previous !== null) {
    pools.set(previous.stable.name, previous.stable)
    if (previous.canary !== null) pools.set(previous.canary.name, previous.canary)
  }
  const stable = reconcilePool(pools.get(spec.stable.name), spec.stable.name, spec.stable.backends)
  const canary = spec.canary === null ? null : reconcilePool(pools.get(spec.canary.name), spec.canary.name, spec.canary.backends)
  return Object.freeze({
    revision: (previous?.revision ?? 0) + 1,
    mode: spec.mode,
    stable,
    canary,
    weightBp: canary === null ? 0 : spec.weightBp,
  })
}

/** Holds the current table. The data plane reads `current` once per request. */
export class TableHolder {
  current: RoutingTable
  private readonly listeners: Array<(t: RoutingTable) => void> = []

  constructor(initial: RoutingTable) {
    this.current = initial
  }

  publish(spec: TableSpec): RoutingTable {
    const next = buildTable(spec, this.current)
    this.current = next
    for (const l of this.listeners) l(next)
    return next
  }

  onPublish(listener: (t: RoutingTable) => void): void {
    this.listeners.push(listener)
  }
}
