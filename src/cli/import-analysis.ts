import { isMapping } from '../config/is-mapping.js'

/**
 * Argo AnalysisTemplates (and ClusterAnalysisTemplates) into ramp analysis templates, for
 * `ramp import`. ramp runs Prometheus and web metrics; a condition converts when it compares
 * the result with a number (`result[0] >= 0.95`, `result < 500`, joined by &&). Placeholders
 * (`{{args.x}}`) stay: the config loader fills them from the reference's args. Anything that
 * does not carry over is named in `notes`, and a template left with no metric is not returned.
 */
export interface ConvertedTemplate {
  template: Record<string, unknown>
  /** The template's own args with a default value, used where a reference gives none. */
  defaults: Array<{ name: string; value: string }>
}


export const nameOf = (d: Record<string, unknown>): string => String((d.metadata as { name?: string } | undefined)?.name ?? '')

const seconds = (v: unknown): string | undefined => (typeof v === 'number' ? `${v}s` : typeof v === 'string' ? v : undefined)

const comparison = /^\s*(?:result(?:\[0\])?)\s*(>=|>|<=|<)\s*(-?[0-9]+(?:\.[0-9]+)?|\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\})\s*$/

/**
 * `result[0] >= 0.9 && result[0] < 2` -> { min: 0.9, max: 2 }; failure conditions invert. A
 * bound may be a placeholder (`{{args.threshold}}`), filled at load like the query.
 */
function range(condition: string, failure: boolean): { min?: number | string; max?: number | string } | undefined {
  const out: { min?: number | string; max?: number | string } = {}
  for (const part of condition.split('&&')) {
    const m = comparison.exec(part)
    if (m === null) return undefined
    const lower = (m[1] ?? '').startsWith('>') !== failure
    const bound = m[2] ?? ''
    out[lower ? 'min' : 'max'] = bound.startsWith('{') ? bound : Number(bound)
  }
  return out
}

function provider(p: Record<string, unknown>, at: string, notes: string[]): Record<string, unknown> | undefined {
  if (isMapping(p.prometheus)) {
    const { address, query, timeout, ...rest } = p.prometheus
    for (const key of Object.keys(rest)) notes.push(`${at}.prometheus.${key} dropped: ramp's Prometheus provider takes address, query and timeout only`)
    return { prometheus: { address, query, ...(timeout === undefined ? {} : { timeout: seconds(timeout) }) } }
  }
  if (isMapping(p.web)) {
    const { url, method, headers, jsonPath, body, timeoutSeconds, ...rest } = p.web
    for (const key of Object.keys(rest)) notes.push(`${at}.web.${key} dropped: ramp's web provider takes url, method, headers, jsonPath, body and timeoutSeconds only`)
    const web: Record<string, unknown> = { url }
    if (method !== undefined) web.method = method
    if (Array.isArray(headers)) web.headers = Object.fromEntries(headers.filter(isMapping).map((h) => [String(h.key), String(h.value)]))
    if (typeof jsonPath === 'string') web.jsonPath = jsonPath.replace(/^\{(.*)\}$/, '$1')
    if (body !== undefined) web.body = typeof body === 'string' ? body : JSON.stringify(body)
    if (timeoutSeconds !== undefined) web.timeout = seconds(timeoutSeconds)
    return { web }
  }
  return undefined
}

export function convertTemplate(doc: Record<string, unknown>, notes: string[]): ConvertedTemplate | undefined {
  const name = nameOf(doc)
  const at = `${String(doc.kind)} ${name}`
  const spec = isMapping(doc.spec) ? doc.spec : {}
  const metrics: Array<Record<string, unknown>> = []
  const first: Record<string, unknown> = {}
  for (const [i, m] of (Array.isArray(spec.metrics) ? spec.metrics : []).entries()) {
    if (!isMapping(m)) continue
    const mat = `${at} metrics[${i}] (${String(m.name)})`
    const p = isMapping(m.provider) ? provider(m.provider, `${mat}.provider`, notes) : undefined
    if (p === undefined) {
      notes.push(`${mat} dropped: its provider is not one ramp has (ramp runs prometheus and web metrics; write others as ramp builtins)`)
      continue
    }
    const cond = typeof m.successCondition === 'string' ? range(m.successCondition, false) : typeof m.failureCondition === 'string' ? range(m.failureCondition, true) : undefined
    if (cond === undefined) {
      notes.push(`${mat} dropped: ramp reads conditions that compare the result with a number (result[0] >= 0.95); write this one as a thresholdRange`)
      continue
    }
    if (m.successCondition !== undefined && m.failureCondition !== undefined) notes.push(`${mat}.failureCondition dropped: ramp judges by the successCondition alone`)
    metrics.push({ name: String(m.name), ...p, thresholdRange: cond })
    // ramp's interval, count and limits belong to the template: the first metric's are kept.
    const shape = { interval: seconds(m.interval), count: m.count, initialDelay: seconds(m.initialDelay), failureLimit: m.failureLimit, inconclusiveLimit: m.inconclusiveLimit, consecutiveErrorLimit: m.consecutiveErrorLimit }
    if (metrics.length === 1) Object.assign(first, shape)
    else if (JSON.stringify(shape) !== JSON.stringify(Object.fromEntries(Object.keys(shape).map((k) => [k, first[k]])))) notes.push(`${mat}: its interval, count and limits differ from the first metric's, which ramp uses for the whole template`)
  }
  if (metrics.length === 0) {
    notes.push(`${at} dropped: none of its metrics carries over`)
    return undefined
  }
  if (first.interval === undefined && first.count === undefined) first.count = 1 // Argo measures a metric without an interval once
  const template: Record<string, unknown> = { name, ...Object.fromEntries(Object.entries(first).filter(([, v]) => v !== undefined)), metrics }
  const defaults = (Array.isArray(spec.args) ? spec.args : []).filter(isMapping).filter((a) => a.value !== undefined).map((a) => ({ name: String(a.name), value: String(a.value) }))
  return { template, defaults }
}
