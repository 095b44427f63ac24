import type { MatchCondition, MirrorSpec, RouteSpec, StringMatch } from '../routing/types.js'
import type { CanaryStep, RolloutState } from './types.js'

/**
 * The header routes and the mirror that setHeaderRoute and setMirrorRoute steps make. They
 * live in the state (so a restart keeps them), only while a rollout is in progress, and reach
 * the table only while the canary is in it (table-of.ts).
 */

export type HeaderRouteStep = Extract<CanaryStep, { setHeaderRoute: unknown }>['setHeaderRoute']
export type MirrorRouteStep = Extract<CanaryStep, { setMirrorRoute: unknown }>['setMirrorRoute']

export function routesOf(s: RolloutState): readonly RouteSpec[] {
  return s.routes ?? []
}

export function mirrorOf(s: RolloutState): MirrorSpec | null {
  return s.mirror ?? null
}

/** What an ending and a new attempt leave: no routes, no mirror (a fresh array each time). */
export function noRoutes(): { routes: RouteSpec[]; mirror: null } {
  return { routes: [], mirror: null }
}

/**
 * A setHeaderRoute step on `routes`: a new name is appended (routes are tried in order, first
 * match wins, so earlier steps' routes keep their precedence), a known name is replaced in
 * place, and a step without conditions removes its name. An empty `match` removes too: a
 * route with no condition would match every request and send all traffic past the weight.
 */
export function withHeaderRoute(routes: readonly RouteSpec[], step: HeaderRouteStep): RouteSpec[] {
  const match = step.match ?? []
  if (match.length === 0) return routes.filter((r) => r.name !== step.name)
  const route: RouteSpec = { name: step.name, match: match.map(copyCondition), target: { role: 'canary' } }
  return routes.some((r) => r.name === step.name) ? routes.map((r) => (r.name === step.name ? route : r)) : [...routes, route]
}

/**
 * A setMirrorRoute step on the current mirror: with a match or a percentage it becomes the
 * mirror (whatever its name was); with only a name it removes the mirror of that name.
 */
export function withMirrorRoute(mirror: MirrorSpec | null, step: MirrorRouteStep): MirrorSpec | null {
  if (step.match === undefined && step.percentage === undefined) return mirror?.name === step.name ? null : mirror
  return { name: step.name, percentage: step.percentage ?? 100, match: (step.match ?? []).map(copyCondition) }
}

/** A deep copy, so that no state, step or table shares a condition object with another. */
export function copyCondition(c: MatchCondition): MatchCondition {
  const out: MatchCondition = { ...c }
  if (c.headerValue !== undefined) out.headerValue = copyString(c.headerValue)
  if (c.queryValue !== undefined) out.queryValue = copyString(c.queryValue)
  if (c.method !== undefined) out.method = [...c.method]
  return out
}

function copyString(m: StringMatch): StringMatch {
  return { ...m }
}

export function copyRoute(r: RouteSpec): RouteSpec {
  return { name: r.name, match: r.match.map(copyCondition), target: { ...r.target } }
}

export function copyMirror(m: MirrorSpec): MirrorSpec {
  return { name: m.name, percentage: m.percentage, match: m.match.map(copyCondition) }
}
