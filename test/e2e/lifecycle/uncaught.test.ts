import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

// No request makes ramp throw out of a callback today (see the report of the life-cycle
// work), so the fault is injected: a module preloaded into the real process throws from a
// timer and leaves a rejection unhandled when it gets SIGUSR2.
const inject = `data:text/javascript,${encodeURIComponent(`process.on('SIGUSR2', () => {
  setImmediate(() => { throw new Error('injected: thrown from a callback') })
  Promise.reject(new Error('injected: a rejection nobody awaited'))
})`)}`

test('an uncaught error or an unhandled rejection is logged at error, counted, and ramp keeps serving', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url }), process: true, env: { NODE_OPTIONS: `--import=${inject}` } })
  w.proc.child.kill('SIGUSR2')
  await waitFor('both errors to be logged', () => w.logs().filter((l) => l.msg.includes('ramp keeps serving')).length === 2)
  const lines = w.logs().filter((l) => l.msg.includes('ramp keeps serving'))
  for (const l of lines) {
    assert.equal(l.level, 50)
    assert.match(String((l.err as { stack?: string }).stack), /injected: /, 'the error is logged with its stack')
  }
  assert.equal((await w.send()).status, 200)
  const metrics = await w.metrics()
  assert.match(metrics, /ramp_uncaught_errors_total\{kind="uncaughtException"\} 1/)
  assert.match(metrics, /ramp_uncaught_errors_total\{kind="unhandledRejection"\} 1/)
  assert.equal(w.proc.child.exitCode, null)
})
