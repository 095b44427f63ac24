import type { IncomingHttpHeaders } from 'node:http'
import { request } from 'undici'
import type { historyView, statusView } from '../../../src/admin/views.js'
import type { RolloutView } from '../../../src/cli/render-status.js'
import type { BackendHealthView } from '../../../src/pool/health-view.js'
import { offDocument } from './openapi.js'

export type { RolloutView }
export type StatusView = ReturnType<typeof statusView>
/** A line of `GET /api/v1/rollout/events`: a history entry with its time as an ISO string. */
export type HistoryEntry = ReturnType<typeof historyView>

/** What ramp answers a call it refuses: the error code and message, and whichever details the refusal has. */
export interface AdminError {
  error: string
  message: string
  phase?: string
  allowed?: string[]
  problems?: string[]
}

export interface Reply<T> {
  status: number
  body: T
  headers: IncomingHttpHeaders
}

/** A verb's answer: the rollout it left on success, the refusal otherwise (so both can be asserted on). */
export type VerbReply = Reply<RolloutView & Partial<AdminError>>

export type Verb = 'promote' | 'abort' | 'retry' | 'pause' | 'resume'

/** Every answer the tests get from the admin API is checked against its OpenAPI document. */
async function keepsToDocument(method: string, path: string, status: number, body: unknown): Promise<void> {
  const off = await offDocument(method, path, status, body)
  if (off !== null) throw new Error(`the admin API broke its OpenAPI document: ${off}`)
}

/**
 * ramp's admin API over HTTP, the one client of the tests: every verb, the weight, a deploy,
 * the views, the history, reload and /metrics. It sends no token unless made `with` one, so
 * a test of the token sees exactly what it sends. Each answer must keep to the OpenAPI
 * document (openapi.ts).
 */
export class AdminClient {
  constructor(readonly url: string, private readonly headers: Record<string, string> = {}) {}

  /** The same client sending these headers (an `authorization`, say) with every call. */
  with(headers: Record<string, string>): AdminClient {
    return new AdminClient(this.url, { ...this.headers, ...headers })
  }

  /** One call; a string body goes as it is (malformed JSON on purpose), anything else as JSON. */
  async call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await request(`${this.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.headers, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.body.text()
    const parsed: unknown = text === '' ? {} : JSON.parse(text)
    await keepsToDocument(method, path, res.statusCode, parsed)
    return { status: res.statusCode, body: parsed as T, headers: res.headers }
  }

  /** A GET that must answer 200. */
  async read<T>(path: string): Promise<T> {
    const res = await this.call<T>('GET', path)
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`)
    return res.body
  }

  rollout(): Promise<RolloutView> {
    return this.read<RolloutView>('/api/v1/rollout')
  }

  status(): Promise<StatusView> {
    return this.read<StatusView>('/api/v1/status')
  }

  /** One backend's health (its `state`: healthy, unhealthy, ejected...) as the rollout view shows it. */
  async backendHealth(url: string): Promise<BackendHealthView | undefined> {
    return (await this.rollout()).health.versions.flatMap((v) => v.backends).find((b) => b.url === url)
  }

  async history(): Promise<HistoryEntry[]> {
    return (await this.read<{ events: HistoryEntry[] }>('/api/v1/rollout/events')).events
  }

  verb(verb: Verb, body: Record<string, unknown> = {}): Promise<VerbReply> {
    return this.call('POST', `/api/v1/rollout/${verb}`, body)
  }

  promote(full = false): Promise<VerbReply> {
    return this.verb('promote', full ? { full: true } : {})
  }

  abort(message?: string): Promise<VerbReply> {
    return this.verb('abort', message === undefined ? {} : { message })
  }

  setWeight(weight: number): Promise<VerbReply> {
    return this.call('PUT', '/api/v1/rollout/weight', { weight })
  }

  /** Starts a rollout of `version`; `extra` adds `strategy`, `supersede`... */
  deploy(version: { name: string; backends: string[] }, extra: Record<string, unknown> = {}): Promise<VerbReply> {
    return this.call('POST', '/api/v1/rollout', { version, ...extra })
  }

  reload(headers: Record<string, string> = {}): Promise<Reply<Record<string, unknown>>> {
    return this.call('POST', '/api/v1/reload', {}, headers)
  }

  async metrics(): Promise<string> {
    const res = await request(`${this.url}/metrics`, { headers: this.headers })
    const text = await res.body.text()
    await keepsToDocument('GET', '/metrics', res.statusCode, res.statusCode === 200 ? text : JSON.parse(text))
    return text
  }
}
