import type { IncomingMessage } from 'node:http'
import type { Counter } from 'prom-client'
import type { Metrics } from '../metrics/registry.js'
import type { VersionPool } from '../pool/pool.js'
import { decide } from '../routing/decide.js'
import { bucketCookie } from '../routing/sticky.js'
import type { RoutingTable, TableHolder } from '../routing/table.js'
import type { Listener, RequestFacts } from '../routing/types.js'
import { factsOf } from './facts.js'

/** The version one request (or one upgrade) goes to, and what the decision read. */
export interface Choice {
  readonly pool: VersionPool
  readonly facts: RequestFacts
  readonly table: RoutingTable
  readonly reason: string
  /** A sticky newcomer's bucket cookie, to be set on the response; null when none. */
  readonly setCookie: string | null
}

export type Chooser = (req: IncomingMessage) => Choice

/**
 * The one precedence (src/routing/decide.ts) for a listener, counted by reason. Plain
 * requests and upgrades both call it, so a WebSocket goes where a request of the same
 * client would go.
 */
export function createChooser(name: Listener, tables: TableHolder, metrics: Metrics, random: () => number): Chooser {
  const decisions = new Map<string, Counter.Internal>()
  const decisionCounter = (reason: string, version: string): Counter.Internal => {
    const key = `${reason}\u0000${version}`
    let c = decisions.get(key)
    if (c === undefined) decisions.set(key, c = metrics.routingDecisions.labels({ reason, version }))
    return c
  }
  return (req) => {
    const table = tables.current
    const facts = factsOf(req)
    const d = decide(table, table.shaping, name, facts, random, table.exact)
    decisionCounter(d.reason, d.version.name).inc()
    if (d.ignoredOverride) metrics.overridesIgnored.inc()
    const sticky = table.shaping.stickiness
    const setCookie = d.assignBucket !== null && sticky?.kind === 'cookie' ? bucketCookie(sticky, d.assignBucket) : null
    return { pool: d.version, facts, table, reason: d.reason, setCookie }
  }
}
