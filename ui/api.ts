import type { HistoryView, RolloutView, TrafficView } from './types.js'

const tokenKey = 'ramp-admin-token'

/** What the API answered when it refused: its own words (`message`), and its code. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

/** The page is served by the admin listener itself: every call is to its own origin. */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const token = sessionStorage.getItem(tokenKey)
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, cache: 'no-store', ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const text = await res.text()
  let json: unknown = null
  try { json = text === '' ? null : JSON.parse(text) } catch { json = null }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; message?: string }
    throw new ApiError(res.status, e.error ?? `HTTP ${res.status}`, e.message ?? (text.trim() || `HTTP ${res.status}`))
  }
  return json as T
}

export const api = {
  rollout: () => call<RolloutView>('GET', '/api/v1/rollout'),
  history: () => call<{ events: HistoryView[] }>('GET', '/api/v1/rollout/events'),
  traffic: (since?: number) => call<TrafficView>('GET', `/api/v1/traffic${since === undefined ? '' : `?since=${since}`}`),
  verb: (method: string, path: string, body: unknown) => call<RolloutView>(method, path, body),
}

export const token = {
  set: (value: string) => { sessionStorage.setItem(tokenKey, value) },
  forget: () => { sessionStorage.removeItem(tokenKey) },
  held: () => sessionStorage.getItem(tokenKey) !== null,
}
