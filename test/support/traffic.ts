import { Pool } from 'undici'

export interface Traffic {
  /** Responses seen so far, by version (x-demo-version, or "ramp" for an answer ramp made itself) and status. */
  seen: Array<{ version: string; status: number; at: number }>
  /** Stops the clients; safe to call more than once. */
  stop(): Promise<void>
}

/**
 * Keeps `connections` clients sending GETs through `url` until stopped, so an analysis has
 * live traffic to judge. Bounded: it also stops by itself after `maxMs`.
 */
export function traffic(url: string, connections = 8, maxMs = 60_000, path = '/'): Traffic {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const seen: Traffic['seen'] = []
  let stopped = false
  const until = Date.now() + maxMs
  const client = async (): Promise<void> => {
    while (!stopped && Date.now() < until) {
      try {
        const res = await pool.request({ method: 'GET', path })
        await res.body.dump()
        seen.push({ version: String(res.headers['x-demo-version'] ?? 'ramp'), status: res.statusCode, at: Date.now() })
      } catch {
        seen.push({ version: 'client-error', status: 0, at: Date.now() })
      }
    }
  }
  const running = Promise.all(Array.from({ length: connections }, client))
  let closing: Promise<void> | null = null
  return {
    seen,
    stop() {
      stopped = true
      return (closing ??= running.then(() => pool.close()))
    },
  }
}
