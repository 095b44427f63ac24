import type { RolloutDriver } from '../rollout/driver.js'
import { bpToPercent } from '../routing/weight.js'

/**
 * The routing table's weight over time, from every change the driver makes: what the
 * dashboard draws beside the share each version served. Kept in memory for `keptMs` (the
 * measurements' retention), as the measurements are; after a restart it starts again from the
 * weight in force.
 */
export class WeightTimeline {
  /** [epoch ms, percent], oldest first; the first one holds from before the time kept. */
  private readonly changes: Array<[number, number]>

  constructor(private readonly driver: Pick<RolloutDriver, 'table' | 'subscribe'>, private readonly now: () => number, private readonly keptMs: number) {
    this.changes = [[now(), bpToPercent(driver.table.weightBp)]]
    driver.subscribe(() => { this.note() })
  }

  /** The weight that held at `ms` (the earliest known one before the first change kept). */
  at(ms: number): number {
    let w = (this.changes[0] as [number, number])[1]
    for (const [t, v] of this.changes) {
      if (t > ms) break
      w = v
    }
    return w
  }

  private note(): void {
    const w = bpToPercent(this.driver.table.weightBp)
    const now = this.now()
    if ((this.changes.at(-1) as [number, number])[1] !== w) this.changes.push([now, w])
    // Keep the last change before the cut: it is the weight at the start of what is kept.
    while (this.changes.length > 1 && (this.changes[1] as [number, number])[0] <= now - this.keptMs) this.changes.shift()
  }
}
