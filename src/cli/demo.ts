import { readFileSync } from 'node:fs'
import { parseConfig } from '../config/load.js'
import { startDemoBackend, type DemoBackend } from '../demo/backend.js'
import { createLogger } from '../log.js'
import { runUntilSignal } from './serve.js'

/** config/demo.yaml, found from src/cli or dist/cli alike (both sit two folders below the root). */
export const demoConfigUrl = new URL('../../config/demo.yaml', import.meta.url)

export const demoBackends = [
  { name: 'v1', color: 'blue', port: 9001 },
  { name: 'v2', color: 'green', port: 9002 },
  { name: 'v3', color: 'orange', port: 9003 },
] as const

export interface DemoOptions { faultyCanary?: string }

export async function demoCommand(opts: DemoOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = parseConfig(readFileSync(demoConfigUrl, 'utf8'), null)
  const log = createLogger(config.log)
  const failRate = opts.faultyCanary === undefined ? 0 : Number(opts.faultyCanary)
  const backends: DemoBackend[] = []
  for (const b of demoBackends) {
    backends.push(await startDemoBackend({ ...b, host: '127.0.0.1', failRate: b.name === 'v2' ? failRate : 0 }))
  }
  await runUntilSignal(config, log, { onClose: async () => { await Promise.all(backends.map((b) => b.close())) } })
  out.write(instructions())
}

function instructions(): string {
  return `
ramp demo is running: v1 (blue) is stable, v2 (green) is the canary, starting at 20%.

Try the listeners:
  curl -s localhost:8080/                  # main: v1 for ~80% of requests, v2 for ~20%
  curl -s localhost:8081/                  # preview: always the canary, v2
  curl -s localhost:9191/api/v1/status     # admin: phase, weight, versions
  for i in $(seq 100); do curl -s localhost:8080/; echo; done | sort | uniq -c

Move the release along, in another terminal of this folder:
  npx ramp status --watch                  # the rollout, redrawn on every event
  npx ramp promote                         # past the pause: 50%, then 100% after 20s
  npx ramp deploy --name v3 --backend http://127.0.0.1:9003   # a second release
  npx ramp abort                           # send everything back to the stable version

Stop with Ctrl-C.
`
}
