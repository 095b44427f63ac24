import type { Measurements, Series } from '../analysis/window.js'
import type { HotCounter } from '../metrics/hot-counter.js'
import type { Metrics, RequestSeries } from '../metrics/registry.js'
import type { VersionPool } from '../pool/pool.js'
import type { RoutingTable } from '../routing/table.js'
import type { Listener } from '../routing/types.js'

/**
 * What one listener records for one version: its metric series, its analysis window and its
 * routing-decision counters. Bound when a routing table is first served, so a request finds
 * its lane by which version it got, not by looking up names.
 */
export class Lane {
  private readonly decisions: Record<string, HotCounter> = {}

  constructor(
    readonly version: string,
    readonly series: RequestSeries,
    readonly window: Series,
    private readonly metrics: Metrics,
  ) {}

  /** `ramp_routing_decisions_total{reason, version}`; the few reasons are bound on first use. */
  decision(reason: string): HotCounter {
    return this.decisions[reason] ??= this.metrics.decisionSeries(reason, this.version)
  }
}

/**
 * A listener's lanes for the table in force. They are made again when the table changes, so
 * a version that left (and whose windows analysis dropped) keeps no lane, and a version that
 * came back gets its new window.
 */
export class Lanes {
  private table: RoutingTable | null = null
  private stable: Lane | null = null
  private canary: Lane | null = null

  constructor(private readonly listener: Listener, private readonly metrics: Metrics, private readonly measurements: Measurements) {}

  /** The lane of `pool`, one of `table`'s versions. */
  of(table: RoutingTable, pool: VersionPool): Lane {
    if (table !== this.table) {
      this.table = table
      this.stable = this.make(table.stable)
      this.canary = table.canary === null ? null : this.make(table.canary)
    }
    return pool === table.stable || this.canary === null ? this.stable as Lane : this.canary
  }

  private make(pool: VersionPool): Lane {
    return new Lane(pool.name, this.metrics.requestSeries(this.listener, pool.name), this.measurements.series(this.listener, pool.name), this.metrics)
  }
}
