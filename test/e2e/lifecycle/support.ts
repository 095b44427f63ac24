import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { request } from 'undici'
import { loadConfigFile } from '../../../src/config/load.js'
import { startRamp, type Ramp, type RampOptions } from '../../../src/ramp.js'
import { createMemoryStore } from '../../../src/state/memory.js'
import { silent } from '../../support/ramp.js'
import { listening, spawnRamp, type Spawned } from '../../support/spawn.js'

/** A config file in a fresh folder, rewritten by `write`; the folder goes when the test ends. */
export function configFile(t: TestContext, yaml: string): { path: string; write(yaml: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-lifecycle-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'ramp.yaml')
  writeFileSync(path, yaml)
  return { path, write: (text) => writeFileSync(path, text) }
}

/** Loopback listeners on free ports, a memory store, JSON logs (`log` adds to them): the opening of every config here. */
export function opening(log = ''): string {
  return `listen: { host: 127.0.0.1, port: 0 }\nadmin: { host: 127.0.0.1, port: 0 }\nstate: { store: memory }\nlog: { format: json${log === '' ? '' : `, ${log}`} }\n`
}

export interface Served {
  proc: Spawned
  urls: { main: string; preview: string | null; admin: string }
}

export async function serve(t: TestContext, config: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const proc = spawnRamp(t, ['serve', '-c', config], env)
  return { proc, urls: await listening(proc) }
}

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
