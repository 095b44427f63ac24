import { codeClasses, codeClassIndex, type CodeClass } from '../metrics/registry.js'
import { upstreamReasons, type UpstreamReason } from '../upstream-reason.js'
import { bucketCount, bucketIndex, bucketValue } from './histogram.js'

/**
 * Per (listener, version) sliding windows of what the data plane saw, for builtin metrics.
 *
 * A series is a ring of time slots (1 s each by default), each slot one fixed row of counters:
 *
 *   [requests, errors, 1xx..5xx, connect..no_backend, 142 latency buckets]  (155 counters)
 *
 * so a series costs slots × 155 × 4 bytes whatever the traffic (601 × 155 × 4 = 372 620 bytes
 * for the default ten minutes), `record` touches one row, and reading a window sums at most
 * one row per slot in it.
 */


const REQUESTS = 0
const ERRORS = 1
const CLASSES = 2
const REASONS = CLASSES + codeClasses.length
const HISTOGRAM = REASONS + upstreamReasons.length
const STRIDE = HISTOGRAM + bucketCount
const FIVE_XX = codeClasses.indexOf('5xx')

const reasonOffset = Object.fromEntries(upstreamReasons.map((r, i) => [r, REASONS + i])) as Record<UpstreamReason, number>

function bump(a: Uint32Array, i: number): void {
  a[i] = (a[i] as number) + 1
}

/** What one window held. Rates and quantiles are null over an empty window. */
export class WindowStats {
  readonly requests: number
  /** Requests that ended in a 5xx or lost to an upstream error, each counted once. */
  readonly errors: number
  readonly byClass: Readonly<Record<CodeClass, number>>
  readonly upstreamErrors: Readonly<Record<UpstreamReason, number>>

  /**
   * @param fromMs start of the first slot read, which may be before the start asked for
   * @param toMs the end asked for, taken as the time of reading
   */
  constructor(private readonly sums: Float64Array, readonly fromMs: number, readonly toMs: number) {
    this.requests = sums[REQUESTS] as number
    this.errors = sums[ERRORS] as number
    this.byClass = Object.fromEntries(codeClasses.map((c, i) => [c, sums[CLASSES + i]])) as Record<CodeClass, number>
    this.upstreamErrors = Object.fromEntries(upstreamReasons.map((r) => [r, sums[reasonOffset[r]]])) as Record<UpstreamReason, number>
  }

  get spanMs(): number {
    return Math.max(0, this.toMs - this.fromMs)
  }

  errorRate(): number | null {
    return this.requests === 0 ? null : this.errors / this.requests
  }

  successRate(): number | null {
    return this.requests === 0 ? null : (this.requests - this.errors) / this.requests
  }

  requestRate(): number | null {
    return this.spanMs === 0 ? null : this.requests / (this.spanMs / 1000)
  }

  /**
   * The latency in ms below which a share `q` of the window's requests finished: the bucket
   * holding the ceil(q·n)-th fastest request, reported as histogram.ts describes.
   */
  quantile(q: number): number | null {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside 0..1`)
    if (this.requests === 0) return null
    // q·n carries float error (0.07 × 100 = 7.000000000000001), which would push the rank
    // one request too far.
    const rank = Math.max(1, Math.ceil(q * this.requests - 1e-9))
    let seen = 0
    let k = 0
    for (; k < bucketCount - 1; k++) {
      seen += this.sums[HISTOGRAM + k] as number
      if (seen >= rank) break
    }
    return bucketValue(k)
  }
}

/** One (listener, version) ring. Bind it once and call `record` per request. */
export class Series {
  private readonly counts: Uint32Array
  /** The slot number (floor(ms / slotMs)) each ring position holds; -1 when never used. */
  private readonly held: Float64Array

  /** @param copy also counts every sample recorded here (a fleet instance's rows yet to share) */
  constructor(private readonly slotMs: number, private readonly slots: number, private readonly copy: Series | null = null) {
    this.counts = new Uint32Array(slots * STRIDE)
    this.held = new Float64Array(slots).fill(-1)
  }

  get byteLength(): number {
    return this.counts.byteLength + this.held.byteLength
  }

  /**
   * @param statusCode what the client got; ramp's own 502/503/504 count as 5xx here
   * @param upstreamReason set when the upstream failed the request, even if the status was sent
   * @param now epoch ms the response ended
   * @param failed whether it counts as an error, when its status cannot say (a gRPC call is
   *   judged by its grpc-status); by default a 5xx or an upstream failure is one
   */
  record(statusCode: number, durationMs: number, upstreamReason: UpstreamReason | undefined, now: number, failed?: boolean): void {
    const slot = Math.floor(now / this.slotMs)
    const pos = slot % this.slots
    const held = this.held[pos] as number
    const base = pos * STRIDE
    if (held !== slot) {
      // The ring already moved past this sample's slot: it is older than the retention.
      if (held > slot) return
      this.counts.fill(0, base, base + STRIDE)
      this.held[pos] = slot
    }
    const c = this.counts
    const cls = codeClassIndex(statusCode)
    bump(c, base + REQUESTS)
    bump(c, base + CLASSES + cls)
    if (upstreamReason !== undefined) bump(c, base + reasonOffset[upstreamReason])
    if (failed ?? (cls === FIVE_XX || upstreamReason !== undefined)) bump(c, base + ERRORS)
    bump(c, base + HISTOGRAM + bucketIndex(durationMs))
    if (this.copy !== null) this.copy.record(statusCode, durationMs, upstreamReason, now)
  }

  /**
   * What was recorded since the last take, as sparse rows ([index, count, index, count, ...]
   * per slot), and forgets it: a worker sends these to the primary, which adds them up.
   */
  take(): SlotRow[] {
    const rows: SlotRow[] = []
    for (let pos = 0; pos < this.slots; pos++) {
      const slot = this.held[pos] as number
      if (slot < 0) continue
      const base = pos * STRIDE
      const counts: number[] = []
      for (let j = 0; j < STRIDE; j++) {
        const n = this.counts[base + j] as number
        if (n !== 0) counts.push(j, n)
      }
      if (counts.length === 0) continue
      this.counts.fill(0, base, base + STRIDE)
      rows.push({ slot, counts })
    }
    return rows
  }

  /** Adds a row another process took; one older than the ring holds is dropped, as `record` drops a late sample. */
  add(row: SlotRow): void {
    const pos = row.slot % this.slots
    const held = this.held[pos] as number
    const base = pos * STRIDE
    if (held !== row.slot) {
      if (held > row.slot) return
      this.counts.fill(0, base, base + STRIDE)
      this.held[pos] = row.slot
    }
    const c = row.counts
    for (let i = 0; i + 1 < c.length; i += 2) {
      const j = c[i] as number
      if (j >= 0 && j < STRIDE) this.counts[base + j] = (this.counts[base + j] as number) + (c[i + 1] as number)
    }
  }

  /**
   * Sums every slot that overlaps [fromMs, toMs). Slots are whole, so the window may start up
   * to one slot early; `toMs` is taken as the time of reading, so the slot holding it counts
   * only up to toMs. With 1 s slots, [12:03:00.500, 12:03:10.500) reads the 11 slots
   * 12:03:00 .. 12:03:10 and spans 10.5 s: a steady 100 requests/s gives 1050 requests and a
   * requestRate of 100. A window longer than the ring keeps its newest slots.
   */
  read(fromMs: number, toMs: number): WindowStats {
    const sums = new Float64Array(STRIDE)
    const [first, last] = slotRange(fromMs, toMs, this.slotMs, this.slots)
    for (let slot = first; slot <= last; slot++) {
      const pos = slot % this.slots
      if (this.held[pos] !== slot) continue
      const base = pos * STRIDE
      for (let j = 0; j < STRIDE; j++) sums[j] = (sums[j] as number) + (this.counts[base + j] as number)
    }
    return new WindowStats(sums, Math.min(first * this.slotMs, toMs), toMs)
  }
}

/** First and last slot numbers a read of [fromMs, toMs) sums; none when the window is empty. */
function slotRange(fromMs: number, toMs: number, slotMs: number, slots: number): [number, number] {
  const last = Math.ceil(toMs / slotMs) - 1
  if (!(toMs > fromMs)) return [last + 1, last]
  return [Math.max(Math.floor(fromMs / slotMs), last - slots + 1), last]
}

/** One slot's counters, sparse: `counts` alternates a counter's index and its value. */
export interface SlotRow {
  slot: number
  counts: number[]
}

/** A series' rows, named, as a worker reports them. */
export interface SeriesRows {
  listener: string
  version: string
  rows: SlotRow[]
}

export interface MeasurementsOptions {
  /** Width of one time slot; a window is read in whole slots. */
  slotMs?: number
  /** The longest window that can be read. */
  retentionMs?: number
  /** Also counts every sample and every added row there: the rows a fleet instance has yet to share. */
  copyTo?: Measurements
}

export class Measurements {
  readonly slotMs: number
  readonly retentionMs: number
  private readonly slots: number
  private readonly byListener = new Map<string, Map<string, Series>>()

  private readonly copyTo: Measurements | null

  constructor({ slotMs = 1000, retentionMs = 600_000, copyTo }: MeasurementsOptions = {}) {
    this.copyTo = copyTo ?? null
    this.slotMs = slotMs
    this.retentionMs = retentionMs
    // One more slot than the retention, because a window that does not start on a slot
    // edge overlaps one slot more than its length.
    this.slots = Math.ceil(retentionMs / slotMs) + 1
  }

  /** The ring for (listener, version), made on first use. */
  series(listener: string, version: string): Series {
    let versions = this.byListener.get(listener)
    if (versions === undefined) this.byListener.set(listener, versions = new Map<string, Series>())
    let s = versions.get(version)
    if (s === undefined) versions.set(version, s = new Series(this.slotMs, this.slots, this.copyTo?.series(listener, version) ?? null))
    return s
  }

  record(listener: string, version: string, statusCode: number, durationMs: number, upstreamReason: UpstreamReason | undefined, now: number): void {
    this.series(listener, version).record(statusCode, durationMs, upstreamReason, now)
  }

  /** An unknown (listener, version) reads as an empty window and allocates no ring. */
  window(listener: string, version: string, fromMs: number, toMs: number): WindowStats {
    const s = this.byListener.get(listener)?.get(version)
    if (s !== undefined) return s.read(fromMs, toMs)
    const [first] = slotRange(fromMs, toMs, this.slotMs, this.slots)
    return new WindowStats(new Float64Array(STRIDE), Math.min(first * this.slotMs, toMs), toMs)
  }

  /** Every series' rows since the last take (see `Series.take`). */
  take(): SeriesRows[] {
    const out: SeriesRows[] = []
    for (const [listener, versions] of this.byListener) {
      for (const [version, s] of versions) {
        const rows = s.take()
        if (rows.length > 0) out.push({ listener, version, rows })
      }
    }
    return out
  }

  /** Adds what another process took; the windows then read the sum. */
  add(taken: readonly SeriesRows[]): void {
    for (const t of taken) {
      const s = this.series(t.listener, t.version)
      for (const row of t.rows) s.add(row)
    }
    this.copyTo?.add(taken)
  }

  /** Drops a version's rings on every listener, once no rollout can measure it again. */
  forget(version: string): void {
    for (const versions of this.byListener.values()) versions.delete(version)
    // Together, so that a ring made later copies into a fresh one, never into one let go.
    this.copyTo?.forget(version)
  }

  /** Bytes held by every ring: the count of series decides it, the count of requests never does. */
  sizeBytes(): number {
    let total = 0
    for (const versions of this.byListener.values()) for (const s of versions.values()) total += s.byteLength
    return total
  }
}
