import type { Dispatcher } from 'undici'
import { request } from '../undici-core.js'

export interface ProbeOptions {
  path: string
  timeoutMs: number
  dispatcher: Dispatcher
}

/** A probe's answer: the status, or null when no response came, and what to show a person. */
export interface ProbeAnswer {
  status: number | null
  detail: string
}

/**
 * One GET of `path` on a backend, bounded by `timeoutMs` from start to the end of the body
 * (which is read and thrown away, so the connection goes back to the pool). Shared by the
 * readiness probe and the active health checks; it never throws.
 */
export async function probeOnce(backend: string, opts: ProbeOptions): Promise<ProbeAnswer> {
  try {
    const res = await request(new URL(opts.path, backend), {
      method: 'GET',
      dispatcher: opts.dispatcher,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: AbortSignal.timeout(opts.timeoutMs),
    })
    await res.body.dump()
    return { status: res.statusCode, detail: `HTTP ${res.statusCode}` }
  } catch (err) {
    return { status: null, detail: (err as { code?: string }).code ?? (err as Error).message }
  }
}
