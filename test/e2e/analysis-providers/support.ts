import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { request } from 'undici'
import type { Measurement } from '../../../src/analysis/types.js'
import type { RunView } from '../../../src/analysis/runner.js'
import type { Ramp } from '../../../src/ramp.js'
import { admin, waitFor } from '../../support/ramp.js'
import { traffic, type Traffic } from '../../support/traffic.js'

/** The parts of `GET /api/v1/rollout` these tests read. */
export interface RolloutView {
  phase: string
  reason: string
  message: string
  weight: number
  stable: { name: string }
  analysis: {
    runs: Array<{ id: string; kind: string }>
    lastVerdict: { id: string; kind: string; result: string; message: string } | null
    current: RunView[]
    last: RunView[]
  }
}

export async function rollout(ramp: Ramp): Promise<RolloutView> {
  return (await admin<RolloutView>(ramp, 'GET', '/api/v1/rollout')).body
}

/** Waits for a phase and reason, saying where the rollout was instead when it never gets there. */
export async function eventually(ramp: Ramp, phase: string, reason: string, timeoutMs = 15_000): Promise<RolloutView> {
  let last: RolloutView | undefined
  await waitFor(`${phase}/${reason}`, async () => {
    last = await rollout(ramp)
    return last.phase === phase && last.reason === reason
  }, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; last seen ${last?.phase}/${last?.reason}: ${last?.message}`)
  })
  return last as RolloutView
}

/** The measurements of one metric in a finished run's view. */
export function measurementsOf(run: RunView | undefined, metric: string): Measurement[] {
  return run?.templates.flatMap((t) => t.measurements[metric] ?? []) ?? []
}

/** One sample of a counter or gauge from ramp's /metrics, by its exact label text; 0 when absent. */
export async function scrape(ramp: Ramp, series: string): Promise<number> {
  const text = (await (await request(`${ramp.urls.admin}/metrics`)).body.text())
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

/**
 * A loopback port nothing listens on at this moment. Prometheus has to be told its port on
 * the command line and ramp has to know it before either starts, so port 0 cannot be used.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface Prometheus {
  url: string
  /** An instant query's single value, or null when the result is empty. */
  query(promql: string): Promise<number | null>
}

/**
 * Starts the real `prometheus` binary scraping `target` (host:port) at /metrics every second,
 * with its data in a temporary folder; killed and cleaned up after the test. Its stderr is
 * kept so a start-up failure says why.
 */
export async function startPrometheus(t: TestContext, port: number, target: string): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'ramp-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  await writeFile(config, [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: ramp',
    '    metrics_path: /metrics',
    `    static_configs: [{ targets: ["${target}"] }]`,
  ].join('\n'))
  const child = spawn('prometheus', [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let spawnError: Error | null = null
  child.once('error', (err) => { spawnError = err })
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await rm(dir, { recursive: true, force: true })
  })

  const url = `http://127.0.0.1:${port}`
  await waitFor('prometheus to be ready', async () => {
    if (spawnError !== null) throw new Error(`prometheus did not start: ${String(spawnError)}`)
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`)
    try {
      const res = await request(`${url}/-/ready`)
      await res.body.dump()
      return res.statusCode === 200
    } catch {
      return false
    }
  }, 20_000).catch((err: Error) => { throw new Error(`${err.message}\n${stderr}`) })

  return {
    url,
    async query(promql) {
      const res = await request(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      const doc = await res.body.json() as { data?: { result?: Array<{ value: [number, string] }> } }
      const first = doc.data?.result?.[0]
      return first === undefined ? null : Number(first.value[1])
    },
  }
}

/**
 * `traffic()` stopped after the test too, for a test that fails before it stops the load
 * itself; stopping twice is a no-op here, where the pool's second close would throw.
 */
export function load(t: TestContext, url: string): Traffic {
  const inner = traffic(url)
  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> => (stopping ??= inner.stop())
  t.after(stop)
  return { seen: inner.seen, stop }
}
