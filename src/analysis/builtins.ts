import { formatDuration } from '../config/duration.js'
import type { BuiltinMetric, ProviderResult } from './types.js'
import type { Measurements, WindowStats } from './window.js'

export interface BuiltinContext {
  listener: string
  canary: string
  stable: string
  windowMs: number
  /** Epoch ms; the window is [now - windowMs, now). */
  now: number
  minRequests: number
}

const quantiles = { latencyP50: 0.5, latencyP90: 0.9, latencyP99: 0.99 } as const

/**
 * A builtin metric over the proxy's own measurements. Error rate is (5xx + responses lost to
 * upstream errors) / requests. Too few requests, or a value that is not a finite number, is
 * Inconclusive: a builtin never passes on a sample it cannot judge.
 */
export function evaluateBuiltin(metric: BuiltinMetric, m: Measurements, ctx: BuiltinContext): ProviderResult {
  if (ctx.windowMs > m.retentionMs) {
    return { ok: false, phase: 'Error', message: `the ${formatDuration(ctx.windowMs)} window is longer than the ${formatDuration(m.retentionMs)} of measurements ramp keeps` }
  }
  const read = (version: string): WindowStats => m.window(ctx.listener, version, ctx.now - ctx.windowMs, ctx.now)
  const canary = read(ctx.canary)
  // requestRate is exempt from minRequests: its value is the request count itself, and
  // gating it would make "the canary gets no traffic" impossible to fail.
  if (metric === 'requestRate') return finite(metric, canary.requestRate(), canary.requests)
  const tooFew = fewer('canary', canary, ctx)
  if (tooFew !== null) return tooFew

  switch (metric) {
    case 'successRate':
      return finite(metric, canary.successRate(), canary.requests)
    case 'errorRate':
      return finite(metric, canary.errorRate(), canary.requests)
    case 'latencyP50':
    case 'latencyP90':
    case 'latencyP99':
      return finite(metric, canary.quantile(quantiles[metric]), canary.requests)
    case 'errorRateDelta':
    case 'latencyP99Ratio': {
      const stable = read(ctx.stable)
      const stableTooFew = fewer('stable', stable, ctx)
      if (stableTooFew !== null) return stableTooFew
      return metric === 'errorRateDelta'
        ? finite(metric, difference(canary.errorRate(), stable.errorRate()), canary.requests)
        : finite(metric, ratio(canary.quantile(0.99), stable.quantile(0.99)), canary.requests)
    }
  }
}

function fewer(side: 'canary' | 'stable', w: WindowStats, ctx: BuiltinContext): ProviderResult | null {
  if (w.requests >= ctx.minRequests) return null
  return { ok: false, phase: 'Inconclusive', message: `${w.requests} ${side} requests in the ${formatDuration(ctx.windowMs)} window, fewer than minRequests ${ctx.minRequests}` }
}

function finite(metric: BuiltinMetric, value: number | null, sampleSize: number): ProviderResult {
  if (value === null) return { ok: false, phase: 'Inconclusive', message: `${metric} has no value: no requests in the window` }
  if (!Number.isFinite(value)) return { ok: false, phase: 'Inconclusive', message: `${metric} is ${value}, not a finite number` }
  return { ok: true, value, sampleSize }
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a / b
}
