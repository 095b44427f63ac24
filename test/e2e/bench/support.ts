import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { TestContext } from 'node:test'
import { unpinned } from '../../../src/bench/pinning.js'
import type { Report } from '../../../src/bench/report.js'
import type { BenchOptions } from '../../../src/bench/options.js'
import { runBench } from '../../../src/bench/run.js'

/** A temp dir shaped like a checkout's bench/results/, removed after the test. */
export function resultsDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ramp-bench-test-'))
  t.after(() => { if (process.env.KEEP_BENCH !== '1') rmSync(dir, { recursive: true, force: true }) })
  return join(dir, 'bench/results')
}

export interface BenchOutcome { status: number; report: Report; html: string; dir: string; output: string }

/** Runs a scenario in this process (the harness from src/, ramp from dist/) and reads what it wrote. */
export async function bench(t: TestContext, scenario: string, over: Partial<BenchOptions> = {}): Promise<BenchOutcome> {
  const dir = join(resultsDir(t), scenario)
  let output = ''
  const out = new Writable({ write(chunk: Buffer, _enc, cb) { output += chunk.toString(); cb() } })
  const opts: BenchOptions = {
    scenario, duration: 1, connections: 20, requests: null, warmup: 0, out: dir, target: null, direct: null, cpus: unpinned, profile: false, workers: null, backendFlags: {}, ...over,
  }
  const status = await runBench(opts, out)
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report
  return { status, report, html: readFileSync(join(dir, 'report.html'), 'utf8'), dir, output }
}

/** The checks that failed, for an assertion message that says which and why. */
export const failedChecks = (r: Report): string => JSON.stringify({ error: r.error, failed: r.checks.filter((c) => !c.ok) }, null, 2)

/** Per run, the share of each version among the responses it counted. */
export function shares(r: Report): Array<Record<string, number>> {
  return r.runs.map((run) => {
    const n = Object.values(run.versions).reduce((a, b) => a + b, 0)
    return Object.fromEntries(Object.entries(run.versions).map(([v, k]) => [v, k / n]))
  })
}
