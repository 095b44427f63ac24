import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { logBufferBytes } from '../../../src/log.js'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

// An access line is over 300 bytes: this many requests, shared by the workers, write well
// past what each process may hold unwritten (logBufferBytes) plus what the socket holds.
const requestsFor = (workers: number): number => Math.ceil(((workers + 1) * logBufferBytes) / 300)

// A log pipe whose reader stays but never reads (a stuck `| tee`, a collector that stalled)
// held every line ramp wrote in memory, without bound, and lost them at the exit.
for (const workers of [1, 2]) {
  test(`an unread stdout costs log lines, not serving nor memory (workers: ${workers}): past the bound lines are dropped and counted, and one warning says how many once the reader reads`, async (t) => {
    const v1 = await backend(t, { name: 'v1' })
    const w = await world(t, { config: release({ v1: v1.url, more: 'log: { access: true }' }), process: true, workers })
    const stdout = w.proc.child.stdout
    assert.ok(stdout !== null)
    stdout.pause()
    const requests = requestsFor(workers)
    const served = await w.count(requests, { connections: 8 })
    assert.equal(served.v1, requests)
    assert.ok(await w.metric('ramp_log_lines_dropped_total') > 0, 'the lines beyond the bound were dropped')
    assert.equal((await w.rollout()).phase, 'Healthy', 'the admin API answers')

    stdout.resume()
    await w.proc.line(/log lines dropped/)
    // Workers report their counts within a second; each worker warns of its own.
    await sleep(1200)
    // Whole lines: a primary writes its workers' lines itself (test/e2e/lifecycle/worker-log-lines).
    const warned = w.logs().flatMap((l) => (typeof l.droppedLines === 'number' ? [l.droppedLines] : []))
    assert.ok(warned.length >= 1 && warned.length <= workers, `${warned.length} warnings`)
    assert.equal(warned.reduce((a, b) => a + b, 0), await w.metric('ramp_log_lines_dropped_total'), 'the warnings add up to the count')
  })
}

test('a stop waits for a slow log reader, bounded: lines held when SIGTERM came are written once it reads, and a reader that never reads delays the exit by seconds, not for ever', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  for (const reads of [true, false]) {
    const w = await world(t, { config: release({ v1: v1.url, more: 'log: { access: true }' }), process: true })
    const stdout = w.proc.child.stdout
    assert.ok(stdout !== null)
    stdout.pause()
    // Below the bound, above what the socket takes: lines wait in ramp when the signal comes.
    const n = Math.floor(logBufferBytes / 2 / 300)
    await w.count(n, { connections: 8 })
    const started = Date.now()
    w.proc.child.kill('SIGTERM')
    if (reads) {
      await sleep(300)
      stdout.resume()
      assert.deepEqual(await w.proc.exit, { code: 0, signal: null })
      assert.equal(w.access().length, n, 'every access line was written')
    } else {
      assert.deepEqual(await w.proc.exit, { code: 0, signal: null })
      assert.ok(Date.now() - started < 5000, `exited ${Date.now() - started} ms after SIGTERM`)
    }
  }
})
