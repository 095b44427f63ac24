import type { Mode } from '../config/load.js'
import type { MirrorSpec, RouteSpec, ShapingSpec } from './types.js'

export interface VersionRef {
  name: string
  backends: readonly string[]
}

/** What the rollout calls for: the engine computes it once per change (`tableOf`) and its publish effect carries it. */
export interface TableSpec {
  mode: Mode
  stable: VersionRef
  canary: VersionRef | null
  weightBp: number
  /** Header routes made by the rollout's steps (`tableOf` gives none while the canary is not routed). */
  routes: RouteSpec[]
  /** The mirror made by a setMirrorRoute step, or null. */
  mirror: MirrorSpec | null
}

/**
 * What the control plane sends a data plane: the rollout's table and the config's static
 * shaping, as plain data a process boundary can carry. A data plane builds its own table
 * (pools, compiled rules, lanes) from it and ignores one whose `version` is not above the
 * one it applied, so a late or repeated message never takes it back.
 */
export interface RoutingSpec {
  /** Only grows while the control plane lives. */
  version: number
  table: TableSpec
  shaping: ShapingSpec
}
