import type { Provider, ProviderResult } from '../types.js'
import { call, is2xx, parseJson, snippet } from './http.js'

export type PrometheusSpec = Extract<Provider, { type: 'prometheus' }>

const nonFinite = new Set(['NaN', '+Inf', '-Inf'])

const error = (message: string): ProviderResult => ({ ok: false, phase: 'Error', message: `prometheus: ${message}` })

interface QueryAnswer {
  status?: unknown
  error?: unknown
  errorType?: unknown
  data?: { resultType?: unknown; result?: unknown }
}

/**
 * An instant query (GET /api/v1/query). One number is a value: a scalar, or a vector of
 * exactly one sample. An empty vector is Inconclusive, as Prometheus says nothing about a
 * series with no samples yet; several samples mean the query does not name one thing, an
 * Error to fix in the query rather than a value to guess from.
 */
export async function queryPrometheus(spec: PrometheusSpec): Promise<ProviderResult> {
  const url = `${spec.address.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(spec.query)}`
  const answer = await call({ url, method: 'GET', headers: { accept: 'application/json' }, body: null, timeoutMs: spec.timeoutMs })
  if (!answer.ok) return error(answer.message)
  const parsed = parseJson(answer.text)
  const doc = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as QueryAnswer : undefined
  if (!is2xx(answer.status)) return error(`HTTP ${answer.status}: ${apiError(doc) ?? snippet(answer.text)}`)
  if (doc === undefined) return error(`the answer is not a JSON object: ${snippet(answer.text)}`)
  if (doc.status !== 'success') return error(`status ${JSON.stringify(doc.status)}: ${apiError(doc) ?? 'no error given'}`)
  const { resultType, result } = doc.data ?? {}
  if (resultType === 'scalar') return sample(result)
  if (resultType !== 'vector') return error(`the query gave a ${String(resultType)} result; it must give a scalar or a one-sample vector`)
  if (!Array.isArray(result)) return error('the vector result is not an array')
  if (result.length === 0) return { ok: false, phase: 'Inconclusive', message: `prometheus: no values found for ${spec.query}` }
  if (result.length > 1) return error(`the query gave ${result.length} samples (${labelsOf(result)}); aggregate it to one, e.g. with sum()`)
  return sample((result[0] as { value?: unknown }).value)
}

/** `[1700000000.123, "0.99"]`, Prometheus' pair of time and value, the value a string. */
function sample(pair: unknown): ProviderResult {
  const raw: unknown = Array.isArray(pair) ? pair[1] : undefined
  if (typeof raw !== 'string') return error(`a sample is not [time, "value"]: ${JSON.stringify(pair)}`)
  // NaN and ±Inf are what PromQL gives for 0/0 and x/0, most often a ratio over no traffic.
  if (nonFinite.has(raw)) return { ok: false, phase: 'Inconclusive', message: `prometheus: the query gave ${raw}` }
  const value = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(value)) return error(`a sample value is not a number: ${JSON.stringify(raw)}`)
  return { ok: true, value, sampleSize: null }
}

function apiError(doc: QueryAnswer | undefined): string | undefined {
  if (typeof doc?.error !== 'string') return undefined
  return typeof doc.errorType === 'string' ? `${doc.errorType}: ${doc.error}` : doc.error
}

function labelsOf(samples: unknown[]): string {
  const shown = samples.slice(0, 3).map((s) => {
    const metric = (s as { metric?: Record<string, unknown> }).metric ?? {}
    return `{${Object.entries(metric).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`
  })
  return shown.join(', ') + (samples.length > 3 ? ', …' : '')
}
