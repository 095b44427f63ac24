import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

/** Whether process `pid` has a handler for SIGHUP, which ramp serve installs last of its signals (Linux SigCgt). */
function catchesSighup(pid: number): boolean {
  const m = /SigCgt:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n
}

// Found as a `ramp demo` spinning at 100% CPU minutes after its SIGTERM, its stdout a pipe
// whose reader had gone (as after `| head`): each log line failed with EPIPE, which
// process.stdout emits as an 'error' that nobody listened to; the last resort logged that
// uncaught error to stdout, which failed again, and so on for ever, starving the event loop,
// so that the drain never got to close the admin listener and exit.
test('a closed stdout costs the log lines, not the process: ramp keeps serving and SIGTERM still stops it', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url }), process: true })
  const pid = w.proc.child.pid as number
  await waitFor('the signal handlers', () => catchesSighup(pid))
  w.proc.child.stdout?.destroy()
  // SIGHUP logs a line (then the reload's outcome) into the closed pipe.
  w.proc.child.kill('SIGHUP')
  await sleep(200)
  const res = await request(w.urls.main, { headersTimeout: 3000, bodyTimeout: 3000 })
  assert.equal(res.statusCode, 200)
  await res.body.dump()
  w.proc.child.kill('SIGTERM')
  const exit = await Promise.race([w.proc.exit, sleep(5000, 'still running 5 s after SIGTERM')])
  assert.deepEqual(exit, { code: 0, signal: null }, w.proc.stderr())
})
