import { durationMs } from '../config/duration.js'
import type { RawConfig } from '../config/schema.js'
import type { AnalysisTemplate, MetricSpec, Provider, Range, WebhookSpec } from './types.js'

const defaultTimeoutMs = 5000

function ms(v: string | number | undefined, fallback: number): number {
  return v === undefined ? fallback : durationMs(v) ?? fallback
}

function range(r: { min?: number | string; max?: number | string }): Range {
  const out: Range = {}
  if (r.min !== undefined) out.min = typeof r.min === 'number' ? r.min : ms(r.min, 0)
  if (r.max !== undefined) out.max = typeof r.max === 'number' ? r.max : ms(r.max, 0)
  return out
}

type RawMetric = RawConfig['analysis']['templates'][number]['metrics'][number]

function provider(m: RawMetric): Provider {
  if (m.builtin !== undefined) return { type: 'builtin', metric: m.builtin }
  if (m.prometheus !== undefined) return { type: 'prometheus', address: m.prometheus.address, query: m.prometheus.query, timeoutMs: ms(m.prometheus.timeout, defaultTimeoutMs) }
  const w = m.web as NonNullable<RawMetric['web']>
  return { type: 'web', url: w.url, method: w.method ?? 'GET', jsonPath: w.jsonPath ?? null, timeoutMs: ms(w.timeout, defaultTimeoutMs), headers: w.headers ?? {}, body: w.body ?? null }
}

/** The config's templates in the runner's terms (milliseconds, one provider per metric). The config was validated first. */
export function templatesFromConfig(c: RawConfig): Map<string, AnalysisTemplate> {
  const out = new Map<string, AnalysisTemplate>()
  for (const t of c.analysis.templates) {
    const intervalMs = ms(t.interval, 10_000)
    const metrics: MetricSpec[] = t.metrics.map((m) => ({ name: m.name, provider: provider(m), range: range(m.thresholdRange) }))
    out.set(t.name, {
      name: t.name,
      intervalMs,
      count: t.count ?? null,
      initialDelayMs: ms(t.initialDelay, 0),
      failureLimit: t.failureLimit,
      inconclusiveLimit: t.inconclusiveLimit,
      consecutiveErrorLimit: t.consecutiveErrorLimit,
      minRequests: t.minRequests,
      windowMs: ms(t.window, intervalMs),
      ...(t.listener === undefined ? {} : { listener: t.listener }),
      metrics,
    })
  }
  return out
}

export function webhooksFromConfig(c: RawConfig): WebhookSpec[] {
  return c.webhooks.map((w) => ({ name: w.name, type: w.type, url: w.url, timeoutMs: ms(w.timeout, defaultTimeoutMs), intervalMs: ms(w.interval, 10_000), headers: w.headers, failureLimit: w.failureLimit }))
}
