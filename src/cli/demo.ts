import { readFileSync } from 'node:fs'
import { parseConfig } from '../config/load.js'
import { startDemoBackend, type DemoBackend } from '../demo/backend.js'
import { demoTraffic } from '../demo/load.js'
import { dashboardUrl } from './dashboard.js'
import { createLogger } from '../log.js'
import { CliExit, exitCode } from './exit.js'
import { runUntilSignal } from './serve.js'

/** config/demo.yaml, found from src/cli or dist/cli alike (both sit two folders below the root). */
export const demoConfigUrl = new URL('../../config/demo.yaml', import.meta.url)

export const demoBackends = [
  { name: 'v1', color: 'blue', port: 9001 },
  { name: 'v2', color: 'green', port: 9002 },
  { name: 'v3', color: 'orange', port: 9003 },
] as const

export interface DemoOptions { faultyCanary?: string; traffic?: boolean; exact?: boolean }

export async function demoCommand(opts: DemoOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = parseConfig(readFileSync(demoConfigUrl, 'utf8'), null)
  if (opts.exact === true) {
    // Stickiness decides before the weight, so the exact split shows only without it.
    config.balance = 'exact'
    delete config.stickiness
  }
  const log = createLogger(config.log)
  const failRate = opts.faultyCanary === undefined ? 0 : Number(opts.faultyCanary)
  if (!(failRate >= 0 && failRate <= 1)) throw new CliExit(exitCode.usage, `--faulty-canary ${String(opts.faultyCanary)} is not a share from 0 to 1 (e.g. 0.05)`)
  const backends: DemoBackend[] = []
  for (const b of demoBackends) {
    backends.push(await startDemoBackend({ ...b, host: '127.0.0.1', failRate: b.name === 'v2' ? failRate : 0 }))
  }
  let stopTraffic: () => Promise<void> = () => Promise.resolve()
  const closeBackends = async (): Promise<void> => { await Promise.all(backends.map((b) => b.close())) }
  // A ramp that cannot start (a port in use) must not leave the demo backends holding the
  // process open: the error is reported and the process ends.
  const ramp = await runUntilSignal(config, log, { onClose: async () => { await stopTraffic(); await closeBackends() } })
    .catch(async (err: unknown) => { await closeBackends(); throw err })
  if (opts.traffic !== false) stopTraffic = demoTraffic(ramp.urls.main)
  out.write(instructions(failRate, opts.traffic !== false, dashboardUrl(ramp.urls.admin)))
}

function instructions(failRate: number, traffic: boolean, dashboard: string): string {
  const faulty = failRate > 0
    ? `\nv2 answers ${failRate * 100}% of requests with 500: the background analysis (success rate >= 99%)\nwill abort the release by itself within a few seconds. Watch it with: npx ramp status --watch\n`
    : ''
  const load = traffic ? 'ramp sends itself 40 requests/s through the main listener so the analysis has traffic to judge.\n' : ''
  return `
ramp demo is running: v1 (blue) is stable, v2 (green) is the canary, starting at 20%.
${load}${faulty}
Watch and drive the release in a browser: the dashboard is at ${dashboard}

Try the listeners:
  curl -s localhost:8080/                  # main: v1 for ~80% of requests, v2 for ~20%
  curl -s localhost:8081/                  # preview: always the canary, v2
  curl -s localhost:9191/api/v1/status     # admin: phase, weight, versions
  for i in $(seq 100); do curl -s localhost:8080/; echo; done | sort | uniq -c

Move the release along, in another terminal of this folder:
  npx ramp status --watch                  # the rollout, redrawn on every event
  npx ramp promote                         # past the pause: 50%, 10 s of analysis, then 100% by itself
  npx ramp deploy --name v3 --backend http://127.0.0.1:9003   # a second release
  npx ramp abort                           # send everything back to the stable version

Stop with Ctrl-C.
`
}
