import type { IncomingMessage } from 'node:http'
import type { Measurements } from '../analysis/window.js'
import type { Metrics } from '../metrics/registry.js'
import type { Clock } from '../clock.js'
import type { VersionPool } from '../pool/pool.js'
import { decide } from '../routing/decide.js'
import { servingVersion } from '../routing/fallback.js'
import { bucketCookie } from '../routing/sticky.js'
import type { RoutingTable, TableHolder } from '../routing/table.js'
import type { Listener, RequestFacts } from '../routing/types.js'
import { factsOf } from './facts.js'
import { Lanes, type Lane } from './lanes.js'

/** The version one request (or one upgrade) goes to, and what the decision read. */
export interface Choice {
  readonly pool: VersionPool
  readonly facts: RequestFacts
  readonly table: RoutingTable
  readonly reason: string
  /** Where the listener records this request: the serving version's lane. */
  readonly lane: Lane
  /** A sticky newcomer's bucket cookie, to be set on the response; null when none. */
  readonly setCookie: string | null
}

export type Chooser = (req: IncomingMessage) => Choice

/**
 * The one precedence (src/routing/decide.ts) for a listener, counted by reason. Plain
 * requests and upgrades both call it, so a WebSocket goes where a request of the same
 * client would go.
 */
export function createChooser(name: Listener, tables: TableHolder, metrics: Metrics, random: () => number, measurements: Measurements, clock: Clock): Chooser {
  const lanes = new Lanes(name, metrics, measurements)
  return (req) => {
    const table = tables.current
    const facts = factsOf(req)
    const d = decide(table, table.shaping, name, facts, random, table.exact)
    const pool = servingVersion(table, d.version)
    // A request the decision sent to a canary with no available backend counts as its failure,
    // so its analysis fails instead of seeing no traffic.
    if (pool !== d.version && d.version === table.canary) lanes.of(table, d.version).window.record(503, 0, 'no_backend', clock.now())
    const reason = pool === d.version ? d.reason : 'fallback'
    const lane = lanes.of(table, pool)
    lane.decision(reason).inc()
    if (d.ignoredOverride) metrics.overridesIgnored.inc()
    const sticky = table.shaping.stickiness
    const setCookie = d.assignBucket !== null && sticky?.kind === 'cookie' ? bucketCookie(sticky, d.assignBucket) : null
    return { pool, facts, table, reason, lane, setCookie }
  }
}
