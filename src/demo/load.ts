import { Pool } from 'undici'

/**
 * The demo's own light traffic: `rate` GETs per second through the main listener, so the
 * analysis has something to judge without anyone running a load tool. Failures are ignored
 * (a faulty canary is the point of some demos).
 */
export function demoTraffic(url: string, rate = 40): () => Promise<void> {
  const pool = new Pool(url, { connections: 4, pipelining: 1 })
  const timer = setInterval(() => {
    pool.request({ method: 'GET', path: '/demo-traffic', headersTimeout: 5000, bodyTimeout: 5000 })
      .then((res) => res.body.dump())
      .catch(() => undefined)
  }, Math.max(1, Math.round(1000 / rate)))
  timer.unref()
  return async () => {
    clearInterval(timer)
    await pool.close()
  }
}
