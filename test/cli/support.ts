import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import type { Ramp } from '../../src/ramp.js'
import { backend, canaryRouted, rampWith } from '../support/ramp.js'
import { spawnRamp } from '../support/spawn.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built `ramp` once, to its end. */
export async function cli(t: TestContext, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const s = spawnRamp(t, args, env)
  const { code } = await s.exit
  return { code, stdout: s.stdout(), stderr: s.stderr() }
}

/** Everything the CLI said, for assertion messages. */
export function said(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

/** `args` aimed at this ramp's admin API. */
export function at(ramp: Ramp, ...args: string[]): string[] {
  return [...args, '--admin', ramp.urls.admin]
}

/** The steps most tests need: two waits for promote, so nothing moves unless a verb moves it. */
export const pauseSteps = `
- setWeight: 20
- pause: {}
- setWeight: 50
- pause: {}
- setWeight: 100
`

/**
 * v1 stable and v2 canary running `steps` (a YAML list). Resolves once v2 is routed, i.e.
 * it passed readiness and the steps began: with `pauseSteps` that is step 2/5 at 20%.
 */
export async function canaryRamp(t: TestContext, steps: string = pauseSteps, env?: NodeJS.ProcessEnv): Promise<Ramp> {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
canary: { name: v2, backends: ["${v2.url}"] }
readiness: { intervalMs: 20 }
strategy:
  canary:
    steps:
${indent(steps, 6)}
`, env === undefined ? {} : { env })
  await canaryRouted(ramp)
  return ramp
}

/** v1 stable and no rollout yet, with `steps` as the strategy a `deploy` runs. */
export async function healthyRamp(t: TestContext, steps: string = pauseSteps): Promise<Ramp> {
  const v1 = await backend(t, { name: 'v1' })
  return rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
readiness: { intervalMs: 20 }
strategy:
  canary:
    steps:
${indent(steps, 6)}
`)
}

function indent(lines: string, by: number): string {
  return lines.trim().split('\n').map((l) => `${' '.repeat(by)}${l.trim()}`).join('\n')
}

/**
 * An HTTP server that only counts what reaches it: pointing `--admin` here proves a command
 * refused its arguments before calling anyone.
 */
export async function tripwire(t: TestContext): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const server = createServer((_req, res) => {
    hits++
    res.writeHead(500).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
}

/** A loopback port nothing listens on (it was free a moment ago and is closed again). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** `status --watch` output cut into its pictures; each one begins with its Status line. */
export function pictures(out: string): string[] {
  return out.split(/^(?=Status:)/m).filter((p) => p !== '')
}
