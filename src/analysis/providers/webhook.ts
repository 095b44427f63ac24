import type { Provider, ProviderResult } from '../types.js'
import { call, is2xx, snippet } from './http.js'

export type WebhookTarget = Omit<Extract<Provider, { type: 'webhook' }>, 'type'>

/** What a webhook is told about the rollout; `weight` is the canary's percent. */
export interface WebhookPayload {
  rollout: string
  phase: string
  step: number | null
  weight: number
  version: string
}

/**
 * POSTs the payload. A 2xx is value 1 and any other status value 0, so the metric's range
 * `{ min: 1 }` fails on a refusal; only a webhook that cannot be reached is an Error, which
 * consecutiveErrorLimit then tolerates for a while.
 */
export async function callWebhook(target: WebhookTarget, payload: WebhookPayload): Promise<ProviderResult> {
  const typed = Object.keys(target.headers).some((k) => k.toLowerCase() === 'content-type')
  const headers = typed ? target.headers : { ...target.headers, 'content-type': 'application/json' }
  const answer = await call({ url: target.url, method: 'POST', headers, body: JSON.stringify(payload), timeoutMs: target.timeoutMs })
  if (!answer.ok) return { ok: false, phase: 'Error', message: `webhook: ${answer.message}` }
  if (is2xx(answer.status)) return { ok: true, value: 1, sampleSize: null, detail: `HTTP ${answer.status}` }
  const said = answer.text.trim() === '' ? '' : `: ${snippet(answer.text)}`
  return { ok: true, value: 0, sampleSize: null, detail: `HTTP ${answer.status}${said}` }
}
