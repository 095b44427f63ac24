/**
 * Traffic shaping vocabulary: match rules, overrides, stickiness, balance and mirroring, as
 * the config and the engine describe them (plain data) and as the data plane runs them
 * (compiled once per routing table, never per request).
 */

export type StringMatch = { exact: string } | { prefix: string } | { regex: string }

/** One condition; every field given must hold (AND). */
export interface MatchCondition {
  headerName?: string
  headerValue?: StringMatch
  queryName?: string
  queryValue?: StringMatch
  pathPrefix?: string
  method?: string[]
}

/** Which version a rule sends to: a version name, or the canary / stable of the moment. */
export type RouteTarget = { version: string } | { role: 'canary' | 'stable' }

/** A named rule: its conditions are ANDed; rules are ORed, first match wins. */
export interface RouteSpec {
  name: string
  match: MatchCondition[]
  target: RouteTarget
}

export interface MirrorSpec {
  name: string
  /** Share of matching requests copied to the canary, 0..100. */
  percentage: number
  /** Empty: every request matches. */
  match: MatchCondition[]
}

export type StickinessSpec =
  | { cookie: string; maxAgeSeconds: number; secure: boolean }
  | { header: string }
  | { clientAddress: true }

export interface ShapingSpec {
  /** Header whose value pins a request: a version name, `always` or `never` (the canary). Null: off. */
  overrideHeader: string | null
  overrideCookie: string | null
  /** Static routes from the config, then routes made by steps, in that order. */
  routes: RouteSpec[]
  stickiness: StickinessSpec | null
  balance: 'random' | 'exact'
  mirror: MirrorSpec | null
  limits: { mirrorBodyBytes: number; mirrorsInFlight: number; regexInputChars: number }
}

/** Why a request went where it went: the label of `ramp_routing_decisions_total{reason}`. */
export type RoutingReason = 'preview' | 'header' | 'cookie' | `route:${string}` | 'sticky' | 'weight'

/** What the decision reads of a request; the data plane fills it without copying headers. */
export interface RequestFacts {
  method: string
  /** The path without the query. */
  path: string
  /** The raw query string without `?`, or ''. */
  query: string
  header(name: string): string | undefined
  /** The client address, for `stickiness: { clientAddress: true }`. */
  clientAddress: string | undefined
}

/** The data-plane listeners a routing decision is made for. */
export type Listener = 'main' | 'preview'
