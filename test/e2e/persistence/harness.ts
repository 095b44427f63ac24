import type { RampEvent } from '../../../src/bench/admin.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { request } from 'undici'
import type { DemoBackend } from '../../../src/demo/backend.js'
import { backend } from '../../support/ramp.js'
import { listening, spawnRamp, type Spawned } from '../../support/spawn.js'

/** What these tests read from `GET /api/v1/rollout`; times are ISO strings. */
export interface RolloutView {
  revision: number
  phase: string
  reason: string
  weight: number
  step: number
  stable: { name: string }
  canary: { name: string } | null
  pauseUntil: string | null
  finishedAt: string | null
}

/** A line of `GET /api/v1/rollout/events`. */
export type HistoryLine = RampEvent

/** A config on disk releasing v2 over v1 through `steps`, with its state file next to it. */
export interface Release {
  dir: string
  config: string
  statePath: string
  v1: DemoBackend
  v2: DemoBackend
}

/**
 * Given: real v1 and v2 backends in this process and a fresh folder holding the config. Each
 * step is one YAML line, as a person writes it (`pause: { duration: 4s }`).
 */
export async function givenRelease(t: TestContext, steps: string[]): Promise<Release> {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const dir = mkdtempSync(join(tmpdir(), 'ramp-persistence-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const config = join(dir, 'ramp.yaml')
  writeFileSync(config, `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
canary: { name: v2, backends: ["${v2.url}"] }
readiness: { intervalMs: 20 }
state: { store: file, path: state.json }
strategy:
  canary:
    steps:
${steps.map((s) => `      - ${s}`).join('\n')}
`)
  return { dir, config, statePath: join(dir, 'state.json'), v1, v2 }
}

/** One running `ramp serve` process. */
export interface Running {
  proc: Spawned
  urls: { main: string; admin: string }
  /**
   * The time of ramp's first log line (epoch ms): "how soon after start" is measured from
   * here, since Node's own start-up before it varies with the machine's load.
   */
  bootAt: number
}

/** Spawns `ramp serve` on the release's config and waits for its listeners. */
export async function serve(t: TestContext, release: Release, ...flags: string[]): Promise<Running> {
  const proc = spawnRamp(t, ['serve', '-c', release.config, ...flags])
  const urls = await listening(proc)
  const first = JSON.parse(await proc.line(/"config loaded/)) as { time: number }
  return { proc, urls, bootAt: first.time }
}

/** The crash these tests are about: no handler runs, nothing is flushed. */
export async function kill9(r: Running): Promise<void> {
  r.proc.child.kill('SIGKILL')
  await r.proc.exit
}

export async function api<T>(r: Running, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await request(`${r.urls.admin}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.body.text()
  return { status: res.statusCode, body: JSON.parse(text) as T }
}

export async function rollout(r: Running): Promise<RolloutView> {
  const res = await api<RolloutView>(r, 'GET', '/api/v1/rollout')
  if (res.status !== 200) throw new Error(`GET /api/v1/rollout answered ${res.status}`)
  return res.body
}

export async function history(r: Running): Promise<HistoryLine[]> {
  return (await api<{ events: HistoryLine[] }>(r, 'GET', '/api/v1/rollout/events')).body.events
}

/** Polls the rollout until `done` holds, and returns the view that satisfied it. */
export async function rolloutUntil(r: Running, what: string, done: (v: RolloutView) => boolean, timeoutMs = 8000): Promise<RolloutView> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const view = await rollout(r)
    if (done(view)) return view
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(view)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export const inTimedPause = (v: RolloutView): boolean => v.phase === 'Paused' && v.reason === 'TimedPause'
export const inPromotePause = (v: RolloutView): boolean => v.phase === 'Paused' && v.reason === 'CanaryPauseStep'
export const promoted = (v: RolloutView): boolean => v.phase === 'Healthy' && v.reason === 'Promoted'
