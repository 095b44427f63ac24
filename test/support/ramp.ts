import type { TestContext } from 'node:test'
import { pino } from 'pino'
import { Pool, request } from 'undici'
import { parseConfig } from '../../src/config/load.js'
import { startDemoBackend, type DemoBackend, type DemoBackendOptions } from '../../src/demo/backend.js'
import { startRamp, type Ramp, type RampOptions } from '../../src/ramp.js'
import { createMemoryStore } from '../../src/state/memory.js'

export const silent = pino({ level: 'silent' })

export async function backend(t: TestContext, opts: Partial<DemoBackendOptions> & { name: string }): Promise<DemoBackend> {
  const b = await startDemoBackend({ color: 'grey', ...opts, host: '127.0.0.1' })
  t.after(() => b.close())
  return b
}

/**
 * Starts ramp in this process on ephemeral loopback ports, with a memory store and a silent
 * log unless the options say otherwise. `yaml` is a whole config; listener ports are forced
 * to 0 so tests never collide.
 */
export async function rampWith(t: TestContext, yaml: string, opts: Partial<RampOptions> = {}): Promise<Ramp> {
  const config = parseConfig(yaml, null, {})
  config.listen = { ...config.listen, host: '127.0.0.1', port: 0 }
  config.admin = { ...config.admin, host: '127.0.0.1', port: 0 }
  if (config.preview !== undefined) config.preview = { ...config.preview, host: '127.0.0.1', port: 0 }
  const ramp = await startRamp(config, { log: silent, store: createMemoryStore(), processMetrics: false, env: {}, ...opts })
  t.after(() => ramp.close())
  return ramp
}

/** The start of most test configs: ephemeral listener, v1 stable, v2 canary, quick readiness. */
export function canaryYaml(stable: string, canary: string): string {
  return `listen: { port: 0 }\nstable: { name: v1, backends: ["${stable}"] }\ncanary: { name: v2, backends: ["${canary}"] }\nreadiness: { intervalMs: 20 }\n`
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Waits until the routing table has the canary in it (it joins once its backends are ready). */
export function canaryRouted(ramp: Ramp): Promise<void> {
  return waitFor('the canary to be routed', () => ramp.tables.current.canary !== null)
}

/**
 * Sends `n` GETs through `url` over `connections` keep-alive connections and counts the
 * serving version (the demo backend's `x-demo-version`). Every answer must be a 200.
 */
export async function countVersions(url: string, n: number, connections = 16, path = '/'): Promise<Record<string, number>> {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const counts: Record<string, number> = {}
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++
      const res = await pool.request({ method: 'GET', path })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`request answered ${res.statusCode}`)
      const v = String(res.headers['x-demo-version'])
      counts[v] = (counts[v] ?? 0) + 1
    }
  }
  try {
    await Promise.all(Array.from({ length: connections }, worker))
  } finally {
    await pool.close()
  }
  return counts
}

export async function admin<T = Record<string, unknown>>(ramp: Ramp, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(`${ramp.urls.admin}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.body.text()
  return { status: res.statusCode, body: (text === '' ? {} : JSON.parse(text)) as T, headers: res.headers }
}
