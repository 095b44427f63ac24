import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { Pool, request } from 'undici'
import { startDemoBackend, type DemoBackend, type DemoBackendOptions } from '../../../src/demo/backend.js'
import { listening, spawnRamp, type Spawned } from '../../support/world/process.js'

// What the workers tests share. Workers run only under `ramp serve` (node:cluster forks the
// program), so every test spawns ramp; the demo backends run in the test's own process.

/** Demo backends named v1 and v2, closed when the test ends. */
export async function versions(t: TestContext, v2: Partial<DemoBackendOptions> = {}): Promise<{ v1: DemoBackend; v2: DemoBackend }> {
  const one = await startDemoBackend({ name: 'v1', color: 'blue', host: '127.0.0.1' })
  t.after(() => one.close())
  const two = await startDemoBackend({ name: 'v2', color: 'green', host: '127.0.0.1', ...v2 })
  t.after(() => two.close())
  return { v1: one, v2: two }
}

export interface HostOptions {
  /** The canary; none when null. */
  v2: DemoBackend | null
  /** More YAML at the end of the config. */
  extra?: string
  workers?: number
  /** Access lines, each naming the worker (its pid) that served the request. */
  access?: boolean
}

/**
 * v1 stable and v2 as a static split served by `workers` (2) data-plane processes, at weight
 * 0 so that a test sets its weight through the admin API, whose answer waits for every worker.
 */
export function hostYaml(v1: DemoBackend, { v2, extra = '', workers = 2, access = false }: HostOptions): string {
  return `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
state: { store: memory }
log: { format: json, access: ${access} }
workers: ${workers}
stable: { name: v1, backends: ["${v1.url}"] }
${v2 === null ? '' : `canary: { name: v2, backends: ["${v2.url}"] }\nweight: 0\n`}readiness: { intervalMs: 20 }
${extra}`
}

export interface Host {
  proc: Spawned
  urls: { main: string; admin: string }
  /** Rewrites the config file, for a reload. */
  write(yaml: string): void
}

/** `ramp serve` as a program (workers run only from the CLI), once every worker listens. */
export async function serveHost(t: TestContext, yaml: string): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-workers-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'ramp.yaml')
  writeFileSync(path, yaml)
  const proc = spawnRamp(t, ['serve', '-c', path])
  const urls = await listening(proc)
  return { proc, urls, write: (text) => writeFileSync(path, text) }
}

/** The pids of the host's workers: the primary's children (Linux /proc). */
export function workers(host: Host): number[] {
  const pid = host.proc.child.pid ?? 0
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((s) => s !== '').map(Number))
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export async function adminCall<T = Record<string, unknown>>(host: Host, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await request(`${host.urls.admin}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.body.text()
  return { status: res.statusCode, body: (text.startsWith('{') ? JSON.parse(text) : {}) as T }
}

/** Waits for the canary to join the table (its backend ready), then sets the weight; the answer comes once every worker applied it. */
export async function routed(host: Host, weight: number): Promise<void> {
  await waitFor('the canary to be routed', async () => (await adminCall<{ canary: unknown }>(host, 'GET', '/api/v1/status')).body.canary !== null)
  const set = await adminCall(host, 'PUT', '/api/v1/rollout/weight', { weight })
  if (set.status !== 200) throw new Error(`weight ${weight} refused: ${set.status} ${JSON.stringify(set.body)}`)
}

/** The sum of the samples of `name` whose labels include `labels`, in the host's /metrics. */
export async function metricSum(host: Host, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await request(`${host.urls.admin}/metrics`)).body.text()
  const want = Object.entries(labels)
  let sum = 0
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = new Map([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]))
    if (want.every(([k, v]) => have.get(k) === v)) sum += Number(m[3])
  }
  return sum
}

export interface Access { worker: number; url: string; status: number; version: string }

/** The access lines the workers logged so far; `worker` is the pid of the one that served. */
export function accessLines(proc: Spawned): Access[] {
  return proc.stdout().split('\n').flatMap((l) => {
    if (!l.includes('"msg":"access"')) return []
    const line = JSON.parse(l) as { worker: number; access: Omit<Access, 'worker'> }
    return [{ ...line.access, worker: line.worker }]
  })
}

/** The serving version (the demo backend's `x-demo-version`) of one GET on a connection of its own. */
export async function fresh(url: string, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; version: string; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(`${url}${path}`, { headers: { ...headers, connection: 'close' } })
  await res.body.dump()
  return { status: res.statusCode, version: String(res.headers['x-demo-version'] ?? 'ramp'), headers: res.headers }
}

/** One request of a load: when it was sent and answered (performance.now()), and how. */
export interface Sent { startedAt: number; endedAt: number; status: number; version: string; error: string | null }

export interface Load {
  sent: Sent[]
  /** Stops sending and closes the connections once every request in flight ended. */
  stop(): Promise<void>
}

/**
 * `connections` keep-alive clients, each with one request in flight at a time, sending GETs
 * through `url` until stopped. A failed request is recorded and the client goes on.
 */
export function load(url: string, connections: number): Load {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const sent: Sent[] = []
  let stopped = false
  const client = async (): Promise<void> => {
    while (!stopped) {
      const startedAt = performance.now()
      try {
        const res = await pool.request({ method: 'GET', path: '/' })
        await res.body.dump()
        sent.push({ startedAt, endedAt: performance.now(), status: res.statusCode, version: String(res.headers['x-demo-version'] ?? 'ramp'), error: null })
      } catch (err) {
        sent.push({ startedAt, endedAt: performance.now(), status: 0, version: 'none', error: (err as { code?: string }).code ?? (err as Error).message })
      }
    }
  }
  const running = Promise.all(Array.from({ length: connections }, client))
  let stopping: Promise<void> | null = null
  return {
    sent,
    stop: () => (stopping ??= (async () => {
      stopped = true
      await running
      await pool.close()
    })()),
  }
}

/** `n` GETs through `url` over `connections` keep-alive connections, each waiting for its answer before the next. */
export async function requests(url: string, n: number, connections: number, path = '/'): Promise<Sent[]> {
  const pool = new Pool(url, { connections, pipelining: 1 })
  const sent: Sent[] = []
  let next = 0
  const client = async (): Promise<void> => {
    while (next < n) {
      next++
      const startedAt = performance.now()
      const res = await pool.request({ method: 'GET', path })
      await res.body.dump()
      sent.push({ startedAt, endedAt: performance.now(), status: res.statusCode, version: String(res.headers['x-demo-version'] ?? 'ramp'), error: null })
    }
  }
  try {
    await Promise.all(Array.from({ length: connections }, client))
  } finally {
    await pool.close()
  }
  return sent
}

/** Kills worker `victim` with SIGKILL at once; resolves with the pid of the one that takes its place, once it serves. */
export async function killWorker(host: Host, victim: number): Promise<number> {
  const before = workers(host)
  process.kill(victim, 'SIGKILL')
  let pid = 0
  await waitFor('a new worker', () => {
    pid = workers(host).find((p) => !before.includes(p)) ?? 0
    return pid !== 0
  })
  await host.proc.line(new RegExp(`\\(pid ${pid}\\) serving`))
  return pid
}

/** The client connections a worker holds open on `port` (Linux: its socket fds matched with the established TCP sockets). */
export function connectionsOf(pid: number, port: number): number {
  const inodes = new Set(readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter((s) => s !== undefined)
    } catch {
      return [] // closed since the listing
    }
  }))
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1).filter((line) => {
    const f = line.trim().split(/\s+/)
    return f[1]?.endsWith(local) === true && f[3] === '01' && inodes.has(f[9] ?? '')
  }).length
}
