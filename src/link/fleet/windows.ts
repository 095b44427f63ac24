import type { Redis } from 'ioredis'
import { Measurements, type SeriesRows } from '../../analysis/window.js'

/** Seconds of rows an instance keeps in Redis for a leader to take: as long as the longest window. */
const keptPushes = 600

/**
 * Analysis over the fleet. Every instance pushes the window rows it recorded each second to
 * its own list in Redis (capped, with an expiry, so a dead instance's rows age out); the
 * leader takes every list whole and adds the rows into its own sums, which its analysis reads.
 */
export class FleetWindows {
  /** The fleet's sums; only the leader's are read. */
  readonly measurements = new Measurements()
  /** What this instance recorded and has not pushed yet: its own windows copy every sample here (`copyTo`). */
  readonly outbox = new Measurements({ retentionMs: 60_000 })
  /** Rows not yet in Redis (it was unreachable): pushed with the next ones. */
  private pending: string[] = []
  /** The start of the newest slot each instance reported, for "from N instances". */
  private readonly newest = new Map<string, number>()

  constructor(private readonly redis: Redis, private readonly listOf: (instance: string) => string) {}

  /** Adds this instance's new rows to a pipeline that is about to run; `sent` once it ran. */
  push(pipeline: ReturnType<Redis['pipeline']>, instance: string): { sent: (ok: boolean) => void } {
    const taken = this.outbox.take()
    if (taken.length > 0) this.pending.push(JSON.stringify(taken))
    const batch = this.pending.splice(0, this.pending.length).slice(-keptPushes)
    if (batch.length === 0) return { sent: () => undefined }
    const list = this.listOf(instance)
    pipeline.rpush(list, ...batch).ltrim(list, -keptPushes, -1).pexpire(list, keptPushes * 1000)
    return { sent: (ok) => { if (!ok) this.pending = [...batch, ...this.pending].slice(-keptPushes) } }
  }

  /**
   * Takes every instance's list whole (read and delete in one step) into the sums; with `own`,
   * this instance's new rows are pushed first, in the same step, so they are among those taken.
   */
  async pull(instances: readonly string[], own?: string): Promise<void> {
    if (instances.length === 0) return
    for (const id of this.newest.keys()) if (!instances.includes(id)) this.newest.delete(id)
    const m = this.redis.multi()
    // The replies leave out the MULTI that a transaction's length counts.
    const opened = m.length
    const pushed = own === undefined ? null : this.push(m, own)
    const first = m.length - opened
    for (const id of instances) m.lrange(this.listOf(id), 0, -1).del(this.listOf(id))
    const results = await m.exec().catch((err: unknown) => { pushed?.sent(false); throw err })
    pushed?.sent(results !== null && results.slice(0, first).every(([err]) => err === null))
    if (results === null) return
    instances.forEach((id, i) => {
      const [err, items] = results[first + 2 * i] ?? [null, []]
      if (err !== null) return
      for (const item of items as string[]) {
        const rows = JSON.parse(item) as SeriesRows[]
        this.measurements.add(rows)
        for (const s of rows) for (const r of s.rows) this.newest.set(id, Math.max(this.newest.get(id) ?? 0, r.slot * this.measurements.slotMs))
      }
    })
  }

  /** "from 3 instances": those whose rows reach into the window starting at `fromMs`. */
  sources(fromMs: number): string {
    let n = 0
    for (const at of this.newest.values()) if (at + this.measurements.slotMs > fromMs) n++
    return `from ${n} instance${n === 1 ? '' : 's'}`
  }
}
