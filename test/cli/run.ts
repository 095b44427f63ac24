import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { spawnRamp } from '../support/world/process.js'

// Kept apart from support.ts, which loads ramp itself: the files that only run the CLI start
// faster without it.

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built `ramp` once, to its end; `t` null for a run shared by several tests. */
export async function cli(t: TestContext | null, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const s = spawnRamp(t, args, env)
  const { code } = await s.exit
  return { code, stdout: s.stdout(), stderr: s.stderr() }
}

/** Everything the CLI said, for assertion messages. */
export function said(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
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
