import type { Measurements } from '../analysis/window.js'
import type { Config } from '../config/load.js'
import { rampError } from '../errors.js'
import type { WeightTimeline } from './weights.js'

export type TrafficListener = 'main' | 'preview'

/** One version's figures over one second of one listener. Rates and quantiles are null in a second without requests. */
export interface VersionSecond {
  /** Responses that ended in that second: the requests per second. */
  requests: number
  /** Its share of the listener's requests in that second, 0..1; null when the listener had none. */
  share: number | null
  errorRate: number | null
  /** Latency quantiles in ms (log buckets, within 5%: src/analysis/histogram.ts). */
  p50: number | null
  p99: number | null
}

export interface TrafficSecond {
  /** Start of the second, epoch ms. */
  at: number
  /** The canary weight in percent the routing table held at the end of that second. */
  weight: number
  listeners: Partial<Record<TrafficListener, Record<string, VersionSecond>>>
}

export interface TrafficView {
  /** ramp's clock when it answered, epoch ms: the page reckons countdowns with it. */
  now: number
  /** [from, to): whole seconds, `to` being the start of the second still running, which is left out. */
  from: number
  to: number
  seconds: TrafficSecond[]
}

export interface TrafficSource {
  measurements: Measurements
  weights: WeightTimeline
  now: () => number
  /** The listeners that exist now: main, and preview when configured. */
  listeners: () => TrafficListener[]
  /** The versions to report: the stable and the canary of the rollout state. */
  versions: () => string[]
}

/** The listeners a config has, as the traffic view names them. */
export function listenersOf(config: Pick<Config, 'preview'>): TrafficListener[] {
  return config.preview === undefined ? ['main'] : ['main', 'preview']
}

/** What a page asks for when it opens: the last five minutes. */
export const defaultSpanMs = 300_000

/**
 * Parses `since` (epoch ms) from the query: the first second to report. Absent: the last
 * five minutes. Older than the measurements kept: from the oldest kept.
 */
export function sinceOf(raw: unknown, now: number, retentionMs: number): number {
  if (raw === undefined) return now - defaultSpanMs
  const since = typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isSafeInteger(since)) throw rampError('RAMP_ERR_ADMIN_BAD_REQUEST', `since=${JSON.stringify(raw)} is not a time in epoch milliseconds; give a whole number such as since=${now - 60_000}, or leave it out for the last five minutes`)
  return Math.max(since, now - retentionMs)
}

/**
 * Per-second figures of each version on each listener, from the measurements analysis reads
 * (with workers, the primary's: every worker's rows added up, each about a second late, so
 * the last seconds of one answer can still grow in the next).
 */
export function trafficView(src: TrafficSource, since: number): TrafficView {
  const { measurements: m } = src
  const now = src.now()
  const slot = m.slotMs
  const from = Math.floor(since / slot) * slot
  const to = Math.floor(now / slot) * slot
  const listeners = src.listeners()
  const versions = src.versions()
  const seconds: TrafficSecond[] = []
  for (let at = from; at < to; at += slot) {
    const second: TrafficSecond = { at, weight: src.weights.at(at + slot - 1), listeners: {} }
    for (const listener of listeners) {
      const windows = versions.map((v) => [v, m.window(listener, v, at, at + slot)] as const)
      const total = windows.reduce((n, [, w]) => n + w.requests, 0)
      second.listeners[listener] = Object.fromEntries(windows.map(([v, w]) => [v, {
        requests: w.requests,
        share: total === 0 ? null : w.requests / total,
        errorRate: w.errorRate(),
        p50: w.quantile(0.5),
        p99: w.quantile(0.99),
      }]))
    }
    seconds.push(second)
  }
  return { now, from, to, seconds }
}
