import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { renderStatus, type RolloutView } from '../../../src/cli/render-status.js'
import { admin, backend, canaryRouted, canaryYaml, countVersions, rampWith, waitFor } from '../../support/ramp.js'
import { healthEvent, historyOf, quickChecks, restart, rolloutOf } from './support.js'

test('stable down: phase Degraded and v2 serves; both down: panic, reported and tried; back: the phase it had', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2' })
  const ramp = await rampWith(t, `${canaryYaml(v1.url, v2.url)}weight: 20\n${quickChecks}`)
  await canaryRouted(ramp)

  await v1.close()
  await waitFor('phase Degraded', () => ramp.driver.state.phase === 'Degraded')
  const status = (await admin<{ phase: string; reason: string; message: string; panic: boolean }>(ramp, 'GET', '/api/v1/status')).body
  assert.deepEqual([status.phase, status.reason, status.panic], ['Degraded', 'StableUnavailable', false])
  assert.match(status.message, /^Degraded: v1 \(stable\) has no available backend, main traffic goes to v2 while that lasts \(rollout: Paused: static split, v2 at 20%\)$/)
  assert.deepEqual(await countVersions(ramp.urls.main, 100), { v2: 100 })
  assert.match(await ramp.metrics.registry.getSingleMetricAsString('ramp_rollout_phase'), /phase="Degraded"\} 1/)

  await v2.close()
  await waitFor('panic', async () => (await admin<{ panic: boolean }>(ramp, 'GET', '/api/v1/status')).body.panic)
  const rollout = await rolloutOf(ramp)
  assert.equal(rollout.panic, true)
  assert.equal(rollout.health.panic, true)
  assert.match(await ramp.metrics.registry.getSingleMetricAsString('ramp_panic'), /^ramp_panic 1$/m)
  assert.match(renderStatus(rollout as unknown as RolloutView), /^Health: +panic: no version has an available backend/m)
  // Panic tries every backend as if healthy: a dead one answers a connect failure, not "no backend".
  const res = await request(`${ramp.urls.main}/`)
  await res.body.dump()
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_CONNECT')

  await restart(t, v1, 'v1')
  await waitFor('the phase beneath again', () => ramp.driver.state.phase === 'Paused')
  assert.equal(ramp.driver.state.reason, 'StaticSplit')
  assert.equal(ramp.health.panic, false)
  assert.match(await ramp.metrics.registry.getSingleMetricAsString('ramp_panic'), /^ramp_panic 0$/m)
  assert.deepEqual(await countVersions(ramp.urls.main, 50), { v1: 50 }, 'v2 is still down: v1 takes its share')
  await healthEvent(ramp, /^v1 \(stable\) has an available backend again; v2 still has none$/)
  const steps = (await historyOf(ramp)).filter((e) => e.event === 'versionHealth').map((e) => `${e.from} -> ${e.to}`)
  assert.deepEqual(steps, ['Paused -> Degraded', 'Degraded -> Degraded', 'Degraded -> Paused'])
})
