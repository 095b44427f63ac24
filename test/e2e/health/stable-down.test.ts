import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderStatus } from '../../../src/cli/render-status.js'
import { backends, restart } from '../../support/world/backends.js'
import { quickChecks, release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { transitions, untilEntry } from '../../support/world/history.js'
import { world } from '../../support/world/world.js'

test('stable down: phase Degraded and v2 serves; both down: panic, reported and tried; back: the phase it had', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: quickChecks }) })
  await w.routed()

  await v1.close()
  await w.until('phase Degraded', (v) => v.phase === 'Degraded')
  const status = await w.admin.status()
  assert.deepEqual([status.phase, status.reason, status.panic], ['Degraded', 'StableUnavailable', false])
  assert.match(status.message, /^Degraded: v1 \(stable\) has no available backend, main traffic goes to v2 while that lasts \(rollout: Paused: static split, v2 at 20%\)$/)
  assert.deepEqual(await w.count(100), { v2: 100 })
  assert.equal(await w.metric('ramp_rollout_phase', { phase: 'Degraded' }), 1)

  await v2.close()
  await waitFor('panic', async () => (await w.admin.status()).panic)
  const rollout = await w.rollout()
  assert.equal(rollout.panic, true)
  assert.equal(rollout.health.panic, true)
  assert.match(await w.metrics(), /^ramp_panic 1$/m)
  assert.match(renderStatus(rollout), /^Health: +panic: no version has an available backend/m)
  // Panic tries every backend as if healthy: a dead one answers a connect failure, not "no backend".
  assert.equal((await w.send()).error, 'RAMP_ERR_UPSTREAM_CONNECT')

  await restart(t, v1, 'v1')
  const beneath = await w.until('the phase beneath again', (v) => v.phase === 'Paused')
  assert.equal(beneath.reason, 'StaticSplit')
  assert.equal(beneath.health.panic, false)
  assert.match(await w.metrics(), /^ramp_panic 0$/m)
  assert.deepEqual(await w.count(50), { v1: 50 }, 'v2 is still down: v1 takes its share')
  await untilEntry(w.admin, 'versionHealth', /^v1 \(stable\) has an available backend again; v2 still has none$/)
  assert.deepEqual(transitions(await w.history(), 'versionHealth'), ['Paused -> Degraded', 'Degraded -> Degraded', 'Degraded -> Paused'])
})
