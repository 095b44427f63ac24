import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fromSource, root, stopAll } from './children.js'
import { renderHtml } from './html.js'
import { BenchKit } from './kit.js'
import type { BenchOptions } from './options.js'
import { pinSelf } from './pinning.js'
import { compareTable, summarizeProfile, type CpuProfile, type ProfiledProcess } from './profile.js'
import { Progress, type Output } from './progress.js'
import type { Machine, Report } from './report.js'
import type { Scenario, ScenarioResult } from './scenario.js'
import { renderTable } from './text-table.js'

/** The compiled scenarios next to dist/bench/, or the sources in bench/scenarios/ when run through tsx. */
const scenariosDir = fromSource ? join(root, 'bench/scenarios') : join(root, 'dist/bench/scenarios')
const ext = fromSource ? '.ts' : '.js'

export function scenarioNames(): string[] {
  try {
    return readdirSync(scenariosDir).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort()
  } catch {
    return []
  }
}

export async function loadScenario(name: string): Promise<Scenario> {
  return (await import(pathToFileURL(join(scenariosDir, `${name}${ext}`)).href) as { default: Scenario }).default
}

function machine(): Machine {
  return {
    // The machine's cores, not this process's share of them: it may be pinned by now.
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadavg1mAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
}

const stamp = (d: Date): string => d.toISOString().slice(0, 19).replaceAll(':', '-')

/** The profiles the kit's processes wrote when they exited, summarised, with the responses each served. */
function readProfiles(dir: string, kit: BenchKit, out: Output): ProfiledProcess[] {
  const profiles: ProfiledProcess[] = []
  for (const { file, pid } of kit.profiles) {
    let text: string
    try {
      text = readFileSync(join(dir, file), 'utf8')
    } catch (err) {
      out.write(`no profile from ${file}: ${err instanceof Error ? err.message : String(err)}\n`)
      continue
    }
    const loads = kit.loads.get(pid) ?? { requests: 0, windows: [] }
    profiles.push({ name: file.replace(/\.cpuprofile$/, ''), requests: loads.requests, summary: summarizeProfile(JSON.parse(text) as CpuProfile, loads.windows) })
  }
  return profiles
}

/**
 * Runs one scenario and writes its report; answers the exit status (0: every check passed).
 * `name` must be one of `scenarioNames()` (checked by the caller against the folder, so a
 * name never reaches outside it).
 */
export async function runBench(opts: BenchOptions, out: Output = process.stdout): Promise<number> {
  const scenario = await loadScenario(opts.scenario)
  if (opts.target !== null && !scenario.target) throw new Error(`scenario ${opts.scenario} starts its own backends and ramp config; it cannot run against --target`)
  if (opts.cpus.load !== null) pinSelf(opts.cpus.load)
  const progress = new Progress(out)
  const m = machine()
  const at = new Date()
  const dir = resolve(opts.out ?? join('bench/results', `${opts.scenario}-${stamp(at)}`))
  const pinned = Object.entries(opts.cpus).filter(([, v]) => v !== null).map(([k, v]) => `${k} on core ${String(v)}`)
  progress.say(`machine: ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB, node ${m.node}, ${m.platform}, load average ${m.loadavg1mAtStart} before the run`)
  progress.say(`pinned: ${pinned.length === 0 ? 'nothing (--cpus proxy=0,load=1 pins)' : pinned.join(', ')}`)
  progress.say(`scenario ${opts.scenario}: ${scenario.description}`)

  const profileDir = opts.profile ? join(dir, 'profiles') : null
  const kit = new BenchKit({ ...opts, profileDir }, scenario, progress)
  let result: ScenarioResult = { checks: [], tables: [], figures: {} }
  let error: string | null = null
  try {
    result = await scenario.run(kit)
  } catch (err) {
    error = err instanceof Error ? err.message : String(err)
  } finally {
    progress.clear()
    await kit.close()
    await stopAll()
  }
  const profiles = profileDir === null ? [] : readProfiles(profileDir, kit, out)
  const report: Report = {
    scenario: opts.scenario,
    description: scenario.description,
    at: at.toISOString(),
    ok: error === null && result.checks.every((c) => c.ok),
    error,
    machine: m,
    pinning: opts.cpus,
    options: { duration: opts.duration, connections: kit.connections, requests: opts.requests, warmup: opts.warmup, target: opts.target, direct: opts.direct, workers: opts.workers, backends: opts.backendFlags },
    ...result,
    tables: profiles.length === 0 ? result.tables : [...result.tables, compareTable(profiles)],
    profiles,
    runs: kit.runs,
  }
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(join(dir, 'report.html'), renderHtml(report))

  for (const t of report.tables) out.write(`\n${renderTable(t)}\n`)
  out.write('\n')
  for (const c of report.checks) out.write(`${c.ok ? 'ok' : 'FAILED'}: ${c.name} (${c.detail})\n`)
  if (error !== null) out.write(`bench stopped: ${error}\n`)
  out.write(`\nwrote ${join(dir, 'report.json')} and report.html\n`)
  return report.ok ? 0 : 1
}
