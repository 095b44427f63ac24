import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { eventually, waitFor } from '../../support/world/eventually.js'
import { freePort } from '../../support/world/ports.js'
import { spawnRamp, type Exit, type Spawned } from '../../support/world/process.js'
import { world } from '../../support/world/world.js'

/** Whether process `pid` has a handler for SIGHUP, which ramp serve installs last of its signals (Linux SigCgt). */
function catchesSighup(pid: number): boolean {
  const m = /SigCgt:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n
}

async function get200(url: string): Promise<void> {
  const res = await request(url, { headersTimeout: 3000, bodyTimeout: 3000 })
  assert.equal(res.statusCode, 200)
  await res.body.dump()
}

/** The reader of ramp's stdout goes away, as `| head` does; SIGHUP then logs into the closed pipe. */
async function closeStdout(proc: Spawned): Promise<void> {
  const pid = proc.child.pid as number
  await waitFor('the signal handlers', () => catchesSighup(pid))
  proc.child.stdout?.destroy()
  proc.child.kill('SIGHUP')
  await sleep(200)
}

const exitWithin = (proc: Spawned, ms: number): Promise<Exit | string> => Promise.race([proc.exit, sleep(ms, `still running ${ms} ms after SIGTERM`)])

// Found as a `ramp demo` spinning at 100% CPU minutes after its SIGTERM, its stdout a pipe
// whose reader had gone (as after `| head`): each log line failed with EPIPE, which
// process.stdout emits as an 'error' that nobody listened to; the last resort logged that
// uncaught error to stdout, which failed again, and so on for ever, starving the event loop,
// so that the drain never got to close the admin listener and exit.
for (const workers of [1, 2]) {
  test(`a closed stdout costs the log lines, not the process (workers: ${workers}): ramp keeps serving, counts the lines it dropped, and SIGTERM still stops it`, async (t) => {
    const v1 = await backend(t, { name: 'v1' })
    const w = await world(t, { config: release({ v1: v1.url, more: 'log: { access: true }' }), process: true, workers })
    await closeStdout(w.proc)
    // Each request logs an access line (in the worker that served it), which is dropped.
    for (let i = 0; i < 4; i++) await get200(w.urls.main)
    // The SIGHUP's lines and the four access lines at least; workers report their counts within a second.
    await eventually('dropped lines counted', () => w.metric('ramp_log_lines_dropped_total'), (n) => n >= 6)
    w.proc.child.kill('SIGTERM')
    assert.deepEqual(await exitWithin(w.proc, 5000), { code: 0, signal: null }, w.proc.stderr())
  })
}

// pino's pretty transport wrote from a worker thread, and at exit pino waited up to 10 s for
// that thread to flush into the broken pipe, blocked, so that a second signal did nothing.
test('a pretty log whose reader went away: SIGTERM stops ramp within the drain deadline', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const dir = mkdtempSync(join(tmpdir(), 'ramp-pretty-'))
  t.after(() => { rmSync(dir, { recursive: true, force: true }) })
  const [main, admin] = [await freePort(), await freePort()]
  writeFileSync(join(dir, 'ramp.yaml'), `${release({ v1: v1.url })}listen: { host: 127.0.0.1, port: ${main} }\nadmin: { host: 127.0.0.1, port: ${admin} }\nlog: { format: pretty, access: true }\ndrainTimeoutMs: 1000\n`)
  const proc = spawnRamp(t, ['serve', '-c', join(dir, 'ramp.yaml')])
  await proc.line(/ramp listening/)
  await closeStdout(proc)
  for (let i = 0; i < 20; i++) await get200(`http://127.0.0.1:${main}/`)
  proc.child.kill('SIGTERM')
  assert.deepEqual(await exitWithin(proc, 3000), { code: 0, signal: null }, proc.stderr())
})
