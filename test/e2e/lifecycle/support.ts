import type { TestContext } from 'node:test'
import { request } from 'undici'
import { loadConfigFile } from '../../../src/config/load.js'
import { startRamp, type Ramp, type RampOptions } from '../../../src/ramp.js'
import { createMemoryStore } from '../../../src/state/memory.js'
import { silent } from '../../support/ramp.js'
import type { Spawned } from '../../support/spawn.js'

/** ramp's JSON log lines so far. */
export function logLines(proc: Spawned): Array<Record<string, unknown> & { msg: string }> {
  return proc.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string })
}

export interface AccessLine { url: string; status: number; completed: boolean }

export function accessLines(proc: Spawned): AccessLine[] {
  return logLines(proc).filter((l) => l.msg === 'access').map((l) => l.access as AccessLine)
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const res = await request(url, { headers })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

/** ramp in this process on the config file `path` (a memory store), so that a reload re-reads it. */
export async function rampOnFile(t: TestContext, path: string, opts: Partial<RampOptions> = {}): Promise<Ramp> {
  const ramp = await startRamp(loadConfigFile(path, {}), { log: silent, store: createMemoryStore(), processMetrics: false, env: {}, ...opts })
  t.after(() => ramp.close())
  return ramp
}

/** POST /api/v1/reload. */
export async function reloadVia(ramp: Ramp, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${ramp.urls.admin}/api/v1/reload`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })
  return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
}

/** The demo backend that served each of `n` GETs, by its version name. */
export async function servedBy(url: string, n: number, path = '/'): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await request(`${url}${path}`)
    const body = await res.body.text()
    if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${body}`)
    out.push(String(res.headers['x-demo-version']))
  }
  return out
}
