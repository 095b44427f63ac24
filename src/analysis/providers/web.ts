import { describeJson, evaluateJsonPath } from '../json-path.js'
import type { Provider, ProviderResult } from '../types.js'
import { call, is2xx, parseJson, snippet } from './http.js'

export type WebSpec = Extract<Provider, { type: 'web' }>

const error = (message: string): ProviderResult => ({ ok: false, phase: 'Error', message: `web: ${message}` })

/** A JSON string holding a plain decimal number ("0.99", "-1e3"), as some endpoints quote them. */
const numeric = /^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/

/**
 * Calls a JSON endpoint and takes the number at `jsonPath` (without one, the whole body must
 * be the number). Anything else is an Error that names what was there instead.
 */
export async function queryWeb(spec: WebSpec): Promise<ProviderResult> {
  const answer = await call({ url: spec.url, method: spec.method, headers: spec.headers, body: spec.body, timeoutMs: spec.timeoutMs })
  if (!answer.ok) return error(answer.message)
  if (!is2xx(answer.status)) return error(`HTTP ${answer.status}: ${snippet(answer.text)}`)
  const doc = parseJson(answer.text)
  if (doc === undefined) return error(`the body is not JSON: ${snippet(answer.text)}`)
  const found = spec.jsonPath === null ? { ok: true as const, value: doc } : evaluateJsonPath(doc, spec.jsonPath)
  if (!found.ok) return error(found.message)
  const v = found.value
  if (typeof v === 'number') return { ok: true, value: v, sampleSize: null }
  if (typeof v === 'string' && numeric.test(v)) return { ok: true, value: Number(v), sampleSize: null }
  return error(`${spec.jsonPath ?? 'the body'} is ${describeJson(v)}, not a number`)
}
