import type { Problem } from '../config/problems.js'
import { compileMatch, type RequestPredicate } from './match.js'
import { compileStickiness, type CompiledStickiness } from './sticky.js'
import type { RouteTarget, ShapingSpec } from './types.js'
import { percentToBp } from './weight.js'

export interface CompiledRoute {
  readonly name: string
  /** `route:NAME`, made once so a decision does not build the label per request. */
  readonly reason: `route:${string}`
  readonly target: RouteTarget
  readonly test: RequestPredicate
}

export interface CompiledMirror {
  readonly name: string
  /** Share of matching requests copied to the canary, 0..10000. */
  readonly percentageBp: number
  readonly test: RequestPredicate
}

/** A `ShapingSpec` made ready for the data plane: compiled once per routing table. */
export interface CompiledShaping {
  /** Lower case, as Node keys headers. Null: the override header is off. */
  readonly overrideHeader: string | null
  readonly overrideCookie: string | null
  readonly routes: readonly CompiledRoute[]
  readonly stickiness: CompiledStickiness | null
  readonly balance: 'random' | 'exact'
  readonly mirror: CompiledMirror | null
  readonly limits: ShapingSpec['limits']
}

/**
 * Compiles every predicate and regex of a shaping spec once. Problems (a regex that does
 * not compile, a value without a name) are returned with their path in `spec.routes[i]` /
 * `mirror` terms rather than thrown: the condition they sit in never matches, and the loader,
 * which checks the same things with the config's own paths first, reports them to a person.
 */
export function compileShaping(spec: ShapingSpec): { shaping: CompiledShaping; problems: Problem[] } {
  const problems: Problem[] = []
  const routes = spec.routes.map((r, i): CompiledRoute => {
    const m = compileMatch(r.match, spec.limits, `routes[${i}].match`)
    problems.push(...m.problems)
    return Object.freeze({ name: r.name, reason: `route:${r.name}` as const, target: r.target, test: m.test })
  })
  let mirror: CompiledMirror | null = null
  if (spec.mirror !== null) {
    const m = compileMatch(spec.mirror.match, spec.limits, 'mirror.match')
    problems.push(...m.problems)
    mirror = Object.freeze({ name: spec.mirror.name, percentageBp: percentToBp(spec.mirror.percentage), test: m.test })
  }
  const shaping: CompiledShaping = Object.freeze({
    overrideHeader: spec.overrideHeader === null ? null : spec.overrideHeader.toLowerCase(),
    overrideCookie: spec.overrideCookie,
    routes: Object.freeze(routes),
    stickiness: spec.stickiness === null ? null : Object.freeze(compileStickiness(spec.stickiness)),
    balance: spec.balance,
    mirror,
    limits: Object.freeze({ ...spec.limits }),
  })
  return { shaping, problems }
}

/** Nothing but the weight: what ramp does when the config asks for no traffic shaping. */
export const NO_SHAPING: CompiledShaping = compileShaping({
  overrideHeader: null,
  overrideCookie: null,
  routes: [],
  stickiness: null,
  balance: 'random',
  mirror: null,
  limits: { mirrorBodyBytes: 0, mirrorsInFlight: 0, regexInputChars: 1024 },
}).shaping
