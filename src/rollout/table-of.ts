import type { TableSpec } from '../routing/spec.js'
import type { MatchCondition, MirrorSpec, RouteSpec } from '../routing/types.js'
import { inProgress } from './phase.js'
import { copyMirror, copyRoute, mirrorOf, routesOf } from './routes.js'
import type { RolloutState } from './types.js'

/**
 * The routing table the state calls for. The canary enters the table only once it is ready,
 * so neither listener (the preview one included) reaches a version still starting up; an
 * aborted canary leaves it at once, which is the instant rollback. The steps' header routes
 * and mirror come and go with the canary: none while it is out of the table. A canary at
 * weight 0 reached only by a header route or by mirrored traffic is a dark launch, not a
 * special case.
 */
export function tableOf(s: RolloutState): TableSpec {
  const canary = tabledCanary(s)
  const mirror = canary === null ? null : mirrorOf(s)
  return {
    mode: s.strategy.type,
    stable: { name: s.stable.name, backends: [...s.stable.backends] },
    canary: canary === null ? null : { name: canary.name, backends: [...canary.backends] },
    weightBp: canary === null ? 0 : s.weightBp,
    routes: canary === null ? [] : routesOf(s).map(copyRoute),
    mirror: mirror === null ? null : copyMirror(mirror),
  }
}

/** The canary as the table has it: only once it is ready, and while the rollout is in progress. */
export function tabledCanary(s: RolloutState): RolloutState['canary'] {
  return inProgress(s) && s.canaryReady ? s.canary : null
}

/** Two tables the data plane would route alike; a route or mirror change is a new table too. */
export function sameTable(a: TableSpec, b: TableSpec): boolean {
  return a.mode === b.mode && a.weightBp === b.weightBp && sameVersion(a.stable, b.stable) &&
    (a.canary === null ? b.canary === null : b.canary !== null && sameVersion(a.canary, b.canary)) &&
    sameList(a.routes, b.routes, sameRoute) &&
    (a.mirror === null ? b.mirror === null : b.mirror !== null && sameMirror(a.mirror, b.mirror))
}

function sameVersion(a: TableSpec['stable'], b: TableSpec['stable']): boolean {
  return a.name === b.name && sameList(a.backends, b.backends, (x, y) => x === y)
}

function sameRoute(a: RouteSpec, b: RouteSpec): boolean {
  const t = a.target
  const u = b.target
  const sameTarget = 'role' in t ? 'role' in u && t.role === u.role : 'version' in u && t.version === u.version
  return a.name === b.name && sameTarget && sameList(a.match, b.match, sameCondition)
}

function sameMirror(a: MirrorSpec, b: MirrorSpec): boolean {
  return a.name === b.name && a.percentage === b.percentage && sameList(a.match, b.match, sameCondition)
}

/** Field by field: a condition is plain data, but two equal ones need not list their keys in one order. */
function sameCondition(a: MatchCondition, b: MatchCondition): boolean {
  return a.headerName === b.headerName && sameValue(a.headerValue, b.headerValue) &&
    a.queryName === b.queryName && sameValue(a.queryValue, b.queryValue) &&
    a.pathPrefix === b.pathPrefix &&
    (a.method === undefined ? b.method === undefined : b.method !== undefined && sameList(a.method, b.method, (x, y) => x === y))
}

function sameValue(a: MatchCondition['headerValue'], b: MatchCondition['headerValue']): boolean {
  if (a === undefined || b === undefined) return a === b
  if ('exact' in a) return 'exact' in b && a.exact === b.exact
  if ('prefix' in a) return 'prefix' in b && a.prefix === b.prefix
  return 'regex' in b && a.regex === b.regex
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i] as T))
}
