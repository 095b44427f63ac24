import type { MatchCondition, RouteSpec, ShapingSpec, StickinessSpec, StringMatch } from '../routing/types.js'
import { durationMs } from './duration.js'
import type { RawConfig } from './schema.js'

type RawCondition = NonNullable<RawConfig['mirror']>['match'][number]
type RawStringMatch = { exact?: string; prefix?: string; regex?: string }

function stringMatch(m: RawStringMatch): StringMatch {
  if (m.exact !== undefined) return { exact: m.exact }
  if (m.prefix !== undefined) return { prefix: m.prefix }
  return { regex: m.regex ?? '' }
}

/**
 * One config condition as ramp's conditions: Argo's `headers: { name: match }` map becomes
 * one header condition per entry (all of them must hold, as in Argo), `path: { prefix }`
 * becomes `pathPrefix`, and every method form becomes a list.
 */
export function conditions(c: RawCondition): MatchCondition[] {
  const own: MatchCondition = {}
  if (c.headerName !== undefined && c.headerValue !== undefined) {
    own.headerName = c.headerName.toLowerCase()
    own.headerValue = stringMatch(c.headerValue)
  }
  if (c.queryName !== undefined && c.queryValue !== undefined) {
    own.queryName = c.queryName
    own.queryValue = stringMatch(c.queryValue)
  }
  const prefix = c.pathPrefix ?? c.path?.prefix
  if (prefix !== undefined) own.pathPrefix = prefix
  if (c.method !== undefined) {
    const list = typeof c.method === 'string' ? [c.method] : Array.isArray(c.method) ? c.method : [c.method.exact]
    own.method = list.map((m) => m.toUpperCase())
  }
  const headers = Object.entries(c.headers ?? {}).map(([name, m]) => ({ headerName: name.toLowerCase(), headerValue: stringMatch(m) }))
  return [...(Object.keys(own).length > 0 ? [own] : []), ...headers]
}

export const matchOf = (list: RawCondition[]): MatchCondition[] => list.flatMap(conditions)

function stickiness(s: RawConfig['stickiness']): StickinessSpec | null {
  if (s === undefined) return null
  if (s.cookie !== undefined) return { cookie: s.cookie, maxAgeSeconds: Math.round((durationMs(s.maxAge) ?? 0) / 1000), secure: s.secure }
  if (s.header !== undefined) return { header: s.header.toLowerCase() }
  return { clientAddress: true }
}

/** The static traffic shaping of a config; routes made by steps are added per routing table. */
export function shapingFromConfig(c: RawConfig): ShapingSpec {
  const routes: RouteSpec[] = c.routes.map((r) => ({
    name: r.name,
    match: matchOf(r.match),
    target: r.version === 'canary' || r.version === 'stable' ? { role: r.version } : { version: r.version },
  }))
  return {
    overrideHeader: c.overrides.header === false ? null : c.overrides.header.toLowerCase(),
    overrideCookie: c.overrides.cookie === false ? null : c.overrides.cookie,
    routes,
    stickiness: stickiness(c.stickiness),
    balance: c.balance,
    mirror: c.mirror === undefined ? null : { name: c.mirror.name, percentage: c.mirror.percentage, match: matchOf(c.mirror.match) },
    limits: c.limits,
  }
}
