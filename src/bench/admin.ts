import { request } from 'undici'

/** A rollout event as `GET /api/v1/rollout/events` lists it. */
export interface RampEvent {
  at: string
  event: string
  actor: string
  from: string
  to: string
  detail: string
}

export interface AdminAnswer<T> { status: number; body: T }

/**
 * The few admin calls the bench makes. Mutating calls carry RAMP_ADMIN_TOKEN when it is set,
 * so `--target` works against a ramp that asks for one.
 */
export class Admin {
  constructor(readonly url: string, private readonly token: string | undefined = process.env.RAMP_ADMIN_TOKEN) {}

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
    return await res.json() as T
  }

  /**
   * With undici's `request` rather than `fetch`: /metrics is read while loads run in this
   * process, and fetch's streams cost the bench's event loop ~4x more per read, time that
   * the load's own responses wait for.
   */
  async text(path: string): Promise<string> {
    const res = await request(`${this.url}${path}`, { headersTimeout: 5000, bodyTimeout: 5000 })
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump()
      throw new Error(`GET ${path}: ${res.statusCode}`)
    }
    return await res.body.text()
  }

  async send<T = Record<string, unknown>>(method: 'POST' | 'PUT', path: string, body: unknown = {}): Promise<AdminAnswer<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: res.status, body: await res.json() as T }
  }

  /** Like `send`, but anything other than a 2xx is an error naming the call and the answer. */
  async must<T = Record<string, unknown>>(method: 'POST' | 'PUT', path: string, body: unknown = {}): Promise<T> {
    const res = await this.send<T>(method, path, body)
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }

  async events(): Promise<RampEvent[]> {
    return (await this.get<{ events: RampEvent[] }>('/api/v1/rollout/events')).events
  }

  /** Polls `GET path` until `ok` accepts the answer. */
  async until<T>(what: string, path: string, ok: (body: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    let last: unknown = null
    while (Date.now() < deadline) {
      try {
        const body = await this.get<T>(path)
        if (ok(body)) return body
        last = body
      } catch (err) {
        last = err instanceof Error ? err.message : err
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`ramp did not reach ${what} within ${timeoutMs} ms; last ${path}: ${JSON.stringify(last)}`)
  }
}
