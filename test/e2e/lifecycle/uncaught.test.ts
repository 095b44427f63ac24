import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backend, waitFor } from '../../support/ramp.js'
import { configFile, opening, serve } from '../../support/spawn.js'
import { get, logLines } from './support.js'

// No request makes ramp throw out of a callback today (see the report of the life-cycle
// work), so the fault is injected: a module preloaded into the real process throws from a
// timer and leaves a rejection unhandled when it gets SIGUSR2.
const inject = `data:text/javascript,${encodeURIComponent(`process.on('SIGUSR2', () => {
  setImmediate(() => { throw new Error('injected: thrown from a callback') })
  Promise.reject(new Error('injected: a rejection nobody awaited'))
})`)}`

test('an uncaught error or an unhandled rejection is logged at error, counted, and ramp keeps serving', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const file = configFile(t, `${opening()}stable: { name: v1, backends: ["${v1.url}"] }\n`)
  const ramp = await serve(t, file.path, { NODE_OPTIONS: `--import=${inject}` })
  ramp.proc.child.kill('SIGUSR2')
  await waitFor('both errors to be logged', () => logLines(ramp.proc).filter((l) => l.msg.includes('ramp keeps serving')).length === 2)
  const lines = logLines(ramp.proc).filter((l) => l.msg.includes('ramp keeps serving'))
  for (const l of lines) {
    assert.equal(l.level, 50)
    assert.match(String((l.err as { stack?: string }).stack), /injected: /, 'the error is logged with its stack')
  }
  assert.equal((await get(ramp.urls.main)).status, 200)
  const metrics = (await get(`${ramp.urls.admin}/metrics`)).body
  assert.match(metrics, /ramp_uncaught_errors_total\{kind="uncaughtException"\} 1/)
  assert.match(metrics, /ramp_uncaught_errors_total\{kind="unhandledRejection"\} 1/)
  assert.equal(ramp.proc.child.exitCode, null)
})
