import { addBackendFlag, type BackendFlags } from '../bench/backend-spec.js'
import { parsePinning, unpinned } from '../bench/pinning.js'
import type { Output } from '../bench/progress.js'
import type { BenchOptions } from '../bench/options.js'
import { loadScenario, runBench, scenarioNames } from '../bench/run.js'
import { adminTarget } from './client.js'
import { CliExit, exitCode } from './exit.js'

export interface BenchCommandOptions {
  list?: boolean
  duration: string
  connections?: string
  requests?: string
  warmup?: string
  out?: string
  target?: string
  admin?: string
  direct?: string
  cpus?: string
  profile?: boolean
  workers?: string
  latency: string[]
  size: string[]
  errorRate: string[]
}

const usage = (msg: string): CliExit => new CliExit(exitCode.usage, msg)

function count(flag: string, raw: string | undefined, min: number): number | null {
  if (raw === undefined) return null
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw usage(`--${flag} ${raw}: give a whole number of at least ${min}`)
  return n
}

/**
 * --workers: how many worker processes a second ramp runs with, measured beside the
 * one-process ramp the scenario measures anyway (that one is `workers: 1`, hence at least 2). The bench starts that ramp, so not with --target;
 * and --profile cannot follow it: node:cluster forks every worker with the primary's node
 * flags, so the primary and each worker would write the same profile file over one another.
 */
async function workersOption(o: BenchCommandOptions, scenario: string): Promise<number | null> {
  const n = count('workers', o.workers, 2)
  if (n === null) return null
  if (!(await loadScenario(scenario)).workers) throw usage(`--workers: scenario ${scenario} does not take it (overhead does)`)
  if (o.target !== undefined) throw usage('--workers starts ramp with that many workers; a --target ramp runs with its own config')
  if (o.profile === true) throw usage('--workers with --profile: ramp\'s workers cannot be profiled (node:cluster forks each with the primary\'s --cpu-prof flags, so all of them would write one and the same profile file); profile without --workers')
  return n
}

function httpUrl(flag: string, raw: string | undefined): string | null {
  if (raw === undefined) return null
  let ok = false
  try { ok = ['http:', 'https:'].includes(new URL(raw).protocol) } catch { ok = false }
  if (!ok) throw usage(`--${flag} ${JSON.stringify(raw)} is not an http(s) URL`)
  return raw.replace(/\/+$/, '')
}

/** `ramp bench [scenario]`: the load-testing harness (src/bench/, scenarios in bench/scenarios/). */
export async function benchCommand(scenario: string | undefined, o: BenchCommandOptions, out: Output = process.stdout): Promise<void> {
  const known = scenarioNames()
  if (known.length === 0) throw usage('no bench scenarios found: build them with `npm run build` (they are compiled into dist/bench/scenarios/)')
  if (o.list === true) {
    for (const name of known) out.write(`${name.padEnd(16)} ${(await loadScenario(name)).description}\n`)
    return
  }
  const name = scenario ?? 'overhead'
  if (!known.includes(name)) throw usage(`unknown scenario ${JSON.stringify(name)}; one of: ${known.join(', ')}`)
  const duration = Number(o.duration)
  if (!(duration > 0)) throw usage(`--duration ${o.duration}: give a number of seconds above 0`)
  const warmup = o.warmup === undefined ? null : Number(o.warmup)
  if (warmup !== null && !(warmup >= 0)) throw usage(`--warmup ${o.warmup}: give a number of seconds, 0 or more`)
  const cpus = o.cpus === undefined ? unpinned : parsePinning(o.cpus)
  if (typeof cpus === 'string') throw usage(cpus)
  const backendFlags: BackendFlags = {}
  for (const [field, values] of [['latency', o.latency], ['bytes', o.size], ['errorRate', o.errorRate]] as const) {
    const problem = addBackendFlag(backendFlags, field, values)
    if (problem !== null) throw usage(problem)
  }
  const main = httpUrl('target', o.target)
  const workers = await workersOption(o, name)
  const opts: BenchOptions = {
    scenario: name,
    duration,
    connections: count('connections', o.connections, 1),
    requests: count('requests', o.requests, 1),
    warmup,
    out: o.out ?? null,
    target: main === null ? null : { main, admin: adminTarget(o).url },
    direct: httpUrl('direct', o.direct),
    cpus,
    profile: o.profile === true,
    workers,
    backendFlags,
  }
  try {
    process.exitCode = await runBench(opts, out)
  } catch (err) {
    throw new CliExit(exitCode.refused, `bench failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}
