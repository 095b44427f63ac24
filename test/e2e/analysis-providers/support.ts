import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { request } from 'undici'
import type { RunView } from '../../../src/analysis/runner.js'
import type { Measurement } from '../../../src/analysis/types.js'
import { waitFor } from '../../support/world/eventually.js'

/** The measurements of one metric in a finished run's view. */
export function measurementsOf(run: RunView | undefined, metric: string): Measurement[] {
  return run?.templates.flatMap((t) => t.measurements[metric] ?? []) ?? []
}

export interface Prometheus {
  url: string
  /** An instant query's single value, or null when the result is empty. */
  query(promql: string): Promise<number | null>
}

/**
 * Starts the real `prometheus` binary scraping `target` (host:port) at /metrics every second,
 * with its data in a temporary folder; killed and cleaned up after the test. Its stderr is
 * kept so a start-up failure says why. Prometheus has to be told its port on the command
 * line and ramp has to know it before either starts, so `port` is a free one, not 0.
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
