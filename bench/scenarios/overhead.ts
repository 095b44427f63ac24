import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onExit, root, spawnNode } from '../lib/children.js'
import { measure, type LoadResult } from '../lib/load.js'
import type { BenchOptions, Scenario, ScenarioReport } from '../lib/scenario.js'

const weight = 20
const warmup = 2

interface Listen { main: string; admin: string }

function rampConfig(v1: string, v2: string): string {
  // A static split (a canary with no strategy) holds the weight for the whole run. Level info
  // is needed: the "ramp listening" line is where the picked ports are printed.
  return `
listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
stable: { name: v1, backends: ["${v1}"] }
canary: { name: v2, backends: ["${v2}"] }
weight: ${weight}
log: { level: info, access: false, format: json }
state: { store: memory }
readiness: { intervalMs: 100 }
`
}

/** The canary joins only after its readiness probe passes; loading earlier would measure v1 alone. */
async function canaryRouted(admin: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown = null
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${admin}/api/v1/status`)
      last = await res.json()
      const s = last as { canary?: { name?: string } | null; weight?: number }
      if (s.canary?.name === 'v2' && s.weight === weight) return
    } catch (err) {
      last = err instanceof Error ? err.message : err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`ramp did not route ${weight}% to v2 within ${timeoutMs} ms; last status: ${JSON.stringify(last)}`)
}

/** Within 4 binomial standard deviations of the weight, and every response named its version. */
function shareCheck(r: LoadResult): { share: number; low: number; high: number; responses: number; ok: boolean } {
  const responses = Object.values(r.versions).reduce((a, b) => a + b, 0)
  const p = weight / 100
  const sd = Math.sqrt(p * (1 - p) / Math.max(responses, 1))
  const share = (r.versions.v2 ?? 0) / Math.max(responses, 1)
  const [low, high] = [p - 4 * sd, p + 4 * sd]
  return { share, low, high, responses, ok: responses > 0 && (r.versions.none ?? 0) === 0 && share >= low && share <= high }
}

const fmt = (n: number, digits: number, minDigits = digits): string => n.toLocaleString('en-US', { minimumFractionDigits: minDigits, maximumFractionDigits: digits })
const pct = (x: number): string => `${fmt(x * 100, 2)}%`

function table(rows: { target: string; r: LoadResult }[], direct: LoadResult, plain: LoadResult): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'vs direct', 'vs plain proxy', 'non-2xx', 'errors', 'v2 share', 'target cpu', 'others cpu']
  const body = rows.map(({ target, r }) => {
    const total = Object.values(r.versions).reduce((a, b) => a + b, 0)
    return [
      target, fmt(r.rps, 0), fmt(r.p50, 2, 0), fmt(r.p99, 2, 0),
      `${fmt(r.rps / direct.rps, 2)}x`, `${fmt(r.rps / plain.rps, 2)}x`,
      String(r.non2xx), r.timeouts > 0 ? `${r.errors} (${r.timeouts} timeouts)` : String(r.errors),
      pct((r.versions.v2 ?? 0) / Math.max(total, 1)),
      r.cpu === null ? 'n/a' : fmt(r.cpu.target, 2), r.cpu === null ? 'n/a' : fmt(r.cpu.others, 2),
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-' : '').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`, ...body.map(line)].join('\n')
}

const overhead: Scenario = {
  description: `req/s and latency of a demo backend direct, through plain @fastify/http-proxy, and through ramp at weight ${weight}`,
  async run(opts: BenchOptions): Promise<ScenarioReport> {
    if (!existsSync(join(root, 'dist/main.js'))) throw new Error('dist/main.js is missing: run `npm run build` first')

    const backends = spawnNode('backends', ['--import', 'tsx', 'bench/backends.ts', 'v1', 'v2'])
    const { v1, v2 } = await backends.jsonLine((l) => l.backends as { v1: string; v2: string } | undefined)
    const plain = spawnNode('plain proxy', ['--import', 'tsx', 'bench/plain-proxy.ts', v1])

    const dir = mkdtempSync(join(tmpdir(), 'ramp-bench-'))
    onExit(() => rmSync(dir, { recursive: true, force: true }))
    const configPath = join(dir, 'ramp.yaml')
    writeFileSync(configPath, rampConfig(v1, v2))
    // Without RAMP_* variables, so a token or override in the caller's shell cannot change the setup.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RAMP_')))
    const ramp = spawnNode('ramp', [process.env.RAMP_BENCH_ENTRY ?? 'bin/ramp.js', 'serve', '-c', configPath], env)
    const [plainUrl, listen] = await Promise.all([
      plain.jsonLine((l) => (typeof l.url === 'string' ? l.url : undefined)),
      ramp.jsonLine((l) => l.listen as Listen | undefined),
    ])
    await canaryRouted(listen.admin)
    process.stdout.write(`backends v1 ${v1}, v2 ${v2}; plain proxy ${plainUrl} -> v1; ramp ${listen.main} (admin ${listen.admin}), weight ${weight}\n`)

    // One after another, each with its own warm-up: the targets share the cores, so
    // measuring them at the same time would measure their contention instead.
    const pid = (c: { proc: { pid?: number | undefined } }): number => c.proc.pid ?? 0
    const bench = [process.pid, pid(backends), pid(plain), pid(ramp)]
    const targets = [
      { target: 'direct (demo backend v1)', url: v1, pid: pid(backends) },
      { target: 'plain @fastify/http-proxy -> v1', url: plainUrl, pid: pid(plain) },
      { target: `ramp, weight ${weight} (v1 + v2)`, url: listen.main, pid: pid(ramp) },
    ]
    const rows: { target: string; r: LoadResult }[] = []
    for (const t of targets) {
      process.stdout.write(`  ${t.target}: ${warmup} s warm-up, ${opts.duration} s measured...\n`)
      rows.push({ target: t.target, r: await measure(t.url, { ...opts, warmup, watch: { target: t.pid, bench } }) })
    }
    const [direct, plainRes, rampRes] = rows.map((row) => row.r) as [LoadResult, LoadResult, LoadResult]

    process.stdout.write(`\n${table(rows, direct, plainRes)}\n\n`)
    const check = shareCheck(rampRes)
    process.stdout.write(`canary share through ramp: v2 ${pct(check.share)} of ${check.responses.toLocaleString('en-US')} responses at weight ${weight} (4-sigma band ${pct(check.low)}..${pct(check.high)}${(rampRes.versions.none ?? 0) > 0 ? `, ${rampRes.versions.none} without x-demo-version` : ''}): ${check.ok ? 'ok' : 'WRONG'}\n`)
    const referencesServedV1 = [direct, plainRes].every((r) => (r.versions.v1 ?? 0) > 0 && Object.keys(r.versions).length === 1)
    if (!referencesServedV1) process.stdout.write('direct and plain proxy runs did not all come from v1: WRONG\n')
    const failed = rows.filter(({ r }) => r.non2xx > 0 || r.errors > 0)
    for (const { target, r } of failed) process.stdout.write(`${target}: ${r.non2xx} non-2xx responses, ${r.errors} errors: FAILED\n`)
    process.stdout.write(`ramp: ${fmt(rampRes.rps / direct.rps * 100, 0)}% of direct req/s, ${fmt(rampRes.rps / plainRes.rps * 100, 0)}% of plain @fastify/http-proxy; p99 ${fmt(rampRes.p99 / plainRes.p99, 2)}x the plain proxy's\n`)
    // Requests per CPU-second of the proxy process holds up better than req/s when other
    // work on the machine takes cores away from the proxy during its run.
    const perCpu = (r: LoadResult): number | null => (r.cpu === null || r.cpu.target <= 0 ? null : r.rps / r.cpu.target)
    const [rampPerCpu, plainPerCpu] = [perCpu(rampRes), perCpu(plainRes)]
    if (rampPerCpu !== null && plainPerCpu !== null) process.stdout.write(`per CPU-second of the proxy process: ramp ${fmt(rampPerCpu / plainPerCpu, 2)}x the requests of plain @fastify/http-proxy\n`)
    const busiest = Math.max(...rows.map(({ r }) => r.cpu?.others ?? 0))
    if (busiest > 0.2) process.stdout.write(`note: other processes used up to ${fmt(busiest, 2)} cores during a measurement; compare runs only on a quiet machine\n`)

    return {
      ok: check.ok && referencesServedV1 && failed.length === 0,
      weight,
      warmupSeconds: warmup,
      targets: rows.map(({ target, r }) => ({ target, ...r, vsDirect: r.rps / direct.rps, vsPlainProxy: r.rps / plainRes.rps })),
      canaryShare: check,
      rampPerCpuVsPlain: rampPerCpu !== null && plainPerCpu !== null ? rampPerCpu / plainPerCpu : null,
    }
  },
}

export default overhead
