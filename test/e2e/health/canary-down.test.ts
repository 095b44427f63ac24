import assert from 'node:assert/strict'
import { test } from 'node:test'
import { binomialBounds } from '../../support/prng.js'
import { backend, backends, restart } from '../../support/world/backends.js'
import { quickChecks, release } from '../../support/world/config.js'
import { transitions, untilEntry } from '../../support/world/history.js'
import { world } from '../../support/world/world.js'

test('all v2 backends down mid-canary: v1 serves everything, history says so, v2\'s window counts the misses; back up, the weight holds again', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2a = await backend(t, { name: 'v2' })
  const v2b = await backend(t, { name: 'v2' })
  const w = await world(t, { config: release({ v1: v1.url, v2: [v2a.url, v2b.url], weight: 50, more: quickChecks }), seed: 61 })
  await w.routed()

  await v2a.close()
  await v2b.close()
  await untilEntry(w.admin, 'versionHealth', /^v2 \(canary\) has no available backend: its share goes to v1/)
  const view = await w.rollout()
  assert.equal(view.phase, 'Paused', 'a canary that is down does not abort by itself')
  assert.equal(view.reason, 'StaticSplit')
  assert.equal(view.panic, false)
  assert.deepEqual(view.health.versions.map((v) => [v.name, v.available]), [['v1', 1], ['v2', 0]])

  const from = Date.now()
  const n = 400
  assert.deepEqual(await w.count(n), { v1: n }, 'every response a 200 from v1')
  // What analysis would read of v2 is shown nowhere else: its window, in this process.
  const window = w.ramp.measurements.window('main', 'v2', from - 1000, Date.now() + 1)
  const { low, high } = binomialBounds(n, 0.5)
  assert.ok(window.requests >= low && window.requests <= high, `v2's window counted ${window.requests} requests of ${n}, expected ${low}..${high}`)
  assert.equal(window.errors, window.requests, 'each one a failure')
  assert.equal(window.upstreamErrors.no_backend, window.requests)
  assert.equal(await w.metric('ramp_routing_decisions_total', { reason: 'fallback', version: 'v1' }), window.requests)

  await restart(t, v2a, 'v2')
  await restart(t, v2b, 'v2')
  await untilEntry(w.admin, 'versionHealth', /^v2 \(canary\) has an available backend again$/)
  const counts = await w.count(4000)
  const back = binomialBounds(4000, 0.5)
  const onV2 = counts.v2 ?? 0
  assert.ok(onV2 >= back.low && onV2 <= back.high, `v2 got ${onV2} of 4000, expected ${back.low}..${back.high}`)
  assert.deepEqual(transitions(await w.history(), 'versionHealth'), ['Paused -> Paused', 'Paused -> Paused'])
})

test('a canary that is down fails its builtin success-rate analysis instead of seeing no traffic', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, {
    config: release({
      v1: v1.url, v2: v2.url,
      strategy: 'canary:\n  steps:\n    - setWeight: 50\n    - analysis: { templates: [canary-health] }\n    - setWeight: 100',
      more: `${quickChecks}
analysis:
  templates:
    - name: canary-health
      interval: 500ms
      count: 4
      failureLimit: 1
      minRequests: 10
      metrics: [ { name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } } ]`,
    }),
  })
  await w.routed()
  await v2.close()
  await untilEntry(w.admin, 'versionHealth', /^v2 \(canary\) has no available backend/)
  const load = w.load({ connections: 4 })
  const aborted = await w.until('the analysis to abort the rollout', (v) => v.phase === 'Aborted', 10_000)
  await load.stop()
  assert.match(aborted.abort?.message ?? '', /success-rate/)
  assert.deepEqual([...new Set(load.seen.map((r) => `${r.version} ${r.status}`))], ['v1 200'], 'clients only ever saw v1 answer')
})
