import type { Check, Kit, Scenario, ScenarioResult } from '../../src/bench/scenario.js'

/** Starts measured per target: start-up times and idle memory scatter with what else runs, so medians are read. */
const starts = 5
/** The targets: a sidecar is paid for per pod. */
const readyTargetMs = 400
const idleTargetMiB = 70
/** RSS is read this long after the rollout settles (Paused at its static split), as the check does. */
const idleAfterMs = 1000

/** A static split at 0% with a preview listener: after readiness the rollout sits Paused, nothing else moves. */
const config = (v1: string, v2: string): string => `
preview: { host: 127.0.0.1, port: 0 }
stable: { name: v1, backends: ["${v1}"] }
canary: { name: v2, backends: ["${v2}"] }
weight: 0
`

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const mib = (b: number | null): number | null => (b === null ? null : b / 2 ** 20)
const median = (xs: number[]): number | null => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!)
const f0 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(0))
const f1 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1))

/** GETs `url` every 5 ms until it answers 200; the time of that answer. */
async function firstOk(url: string, timeoutMs = 20_000): Promise<number> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    const ok = await fetch(url).then(async (r) => { await r.arrayBuffer(); return r.status === 200 }, () => false)
    if (ok) return performance.now()
    await sleep(5)
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

interface Start { readyMs: number; idleBytes: number | null }

/**
 * What a ramp costs to start and to keep: the time from launching `ramp serve` (the process
 * spawned) to the first 200 from its admin API's `GET /readyz`, and its resident memory
 * (VmRSS) a second after the rollout settled, with nothing sent through it. The same for a
 * bare node:http server, the floor Node itself sets on this machine.
 */
const startup: Scenario = {
  description: `${starts} starts of ramp serve (static split, preview listener): time from launch to GET /readyz 200, and RSS ${idleAfterMs / 1000} s after the rollout settled; a bare Node server alongside; targets ready <= ${readyTargetMs} ms, idle <= ${idleTargetMiB} MiB`,
  target: false,
  async run(kit: Kit): Promise<ScenarioResult> {
    const backends = await kit.backends(['v1', 'v2'])
    const { v1, v2 } = backends.urls as { v1: string; v2: string }
    const ramps: Start[] = []
    for (let i = 0; i < starts; i++) {
      const t0 = performance.now()
      const ramp = await kit.ramp(config(v1, v2))
      const ready = await firstOk(`${ramp.admin.url}/readyz`)
      await ramp.admin.until('Paused at the static split', '/api/v1/status', (s: { phase: string }) => s.phase === 'Paused')
      await sleep(idleAfterMs)
      ramps.push({ readyMs: ready - t0, idleBytes: kit.residentBytes(ramp.pid!) })
      await ramp.stop()
    }
    const bare: Start[] = []
    for (let i = 0; i < starts; i++) {
      const t0 = performance.now()
      const server = await kit.bareServer()
      const ready = await firstOk(server.url)
      await sleep(idleAfterMs)
      bare.push({ readyMs: ready - t0, idleBytes: kit.residentBytes(server.pid) })
    }

    const summary = (xs: Start[]) => {
      const ready = xs.map((s) => s.readyMs)
      const idle = xs.map((s) => mib(s.idleBytes)).filter((x): x is number => x !== null)
      return { readyMs: { median: median(ready), min: Math.min(...ready), max: Math.max(...ready) }, idleMiB: { median: median(idle), min: idle.length === 0 ? null : Math.min(...idle), max: idle.length === 0 ? null : Math.max(...idle) } }
    }
    const r = summary(ramps)
    const b = summary(bare)
    const readyMet = r.readyMs.median !== null && r.readyMs.median <= readyTargetMs
    const idleMet = r.idleMiB.median !== null && r.idleMiB.median <= idleTargetMiB
    const row = (label: string, s: typeof r, ready: string, idle: string): string[] => [label, f0(s.readyMs.median), `${f0(s.readyMs.min)}-${f0(s.readyMs.max)}`, ready, f1(s.idleMiB.median), `${f1(s.idleMiB.min)}-${f1(s.idleMiB.max)}`, idle]
    const checks: Check[] = [
      { name: 'every ramp came up and settled', ok: ramps.length === starts, detail: `${ramps.length} of ${starts}` },
      { name: 'the resident memory was read', ok: ramps.every((s) => s.idleBytes !== null), detail: ramps.map((s) => f1(mib(s.idleBytes))).join(', ') },
    ]
    return {
      checks,
      tables: [{
        title: `startup: ${starts} starts each; ready = launch to the first 200 from GET /readyz (ramp's admin API, or the bare server's /); idle = VmRSS ${idleAfterMs / 1000} s after the rollout settled`,
        head: ['process', 'ready ms (median)', 'min-max', `target <= ${readyTargetMs}`, 'idle RSS MiB (median)', 'min-max', `target <= ${idleTargetMiB}`],
        rows: [row('ramp serve', r, readyMet ? 'met' : 'not met', idleMet ? 'met' : 'not met'), row('bare node:http server', b, '', '')],
      }],
      figures: { starts, ramp: r, bare: b, readyTargetMs, idleTargetMiB, readyMet, idleMet, rampStarts: ramps, bareStarts: bare },
    }
  },
}

export default startup
