import assert from 'node:assert/strict'
import { test } from 'node:test'
import { binomialBounds, seeded } from '../../support/prng.js'
import { backend, canaryRouted, canaryYaml, countVersions, rampWith, waitFor } from '../../support/ramp.js'
import { traffic } from '../../support/traffic.js'
import { healthEvent, historyOf, quickChecks, restart, rolloutOf } from './support.js'

test('all v2 backends down mid-canary: v1 serves everything, history says so, v2\'s window counts the misses; back up, the weight holds again', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2a = await backend(t, { name: 'v2' })
  const v2b = await backend(t, { name: 'v2' })
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
canary: { name: v2, backends: ["${v2a.url}", "${v2b.url}"] }
weight: 50
readiness: { intervalMs: 20 }
${quickChecks}`, { random: seeded(61) })
  await canaryRouted(ramp)

  await v2a.close()
  await v2b.close()
  await healthEvent(ramp, /^v2 \(canary\) has no available backend: its share goes to v1/)
  const view = await rolloutOf(ramp)
  assert.equal(view.phase, 'Paused', 'a canary that is down does not abort by itself')
  assert.equal(view.reason, 'StaticSplit')
  assert.equal(view.panic, false)
  assert.deepEqual(view.health.versions.map((v) => [v.name, v.available]), [['v1', 1], ['v2', 0]])

  const from = Date.now()
  const n = 400
  assert.deepEqual(await countVersions(ramp.urls.main, n), { v1: n }, 'every response a 200 from v1')
  const window = ramp.measurements.window('main', 'v2', from - 1000, Date.now() + 1)
  const { low, high } = binomialBounds(n, 0.5)
  assert.ok(window.requests >= low && window.requests <= high, `v2's window counted ${window.requests} requests of ${n}, expected ${low}..${high}`)
  assert.equal(window.errors, window.requests, 'each one a failure')
  assert.equal(window.upstreamErrors.no_backend, window.requests)
  const decisions = await ramp.metrics.registry.getSingleMetricAsString('ramp_routing_decisions_total')
  assert.match(decisions, new RegExp(`reason="fallback",version="v1"\\} ${window.requests}\\b`))

  await restart(t, v2a, 'v2')
  await restart(t, v2b, 'v2')
  await healthEvent(ramp, /^v2 \(canary\) has an available backend again$/)
  const counts = await countVersions(ramp.urls.main, 4000)
  const back = binomialBounds(4000, 0.5)
  const onV2 = counts.v2 ?? 0
  assert.ok(onV2 >= back.low && onV2 <= back.high, `v2 got ${onV2} of 4000, expected ${back.low}..${back.high}`)
  const history = await historyOf(ramp)
  assert.deepEqual(history.filter((e) => e.event === 'versionHealth').map((e) => `${e.from} -> ${e.to}`), ['Paused -> Paused', 'Paused -> Paused'])
})

test('a canary that is down fails its builtin success-rate analysis instead of seeing no traffic', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2' })
  const ramp = await rampWith(t, `${canaryYaml(v1.url, v2.url)}${quickChecks}analysis:
  templates:
    - name: canary-health
      interval: 500ms
      count: 4
      failureLimit: 1
      minRequests: 10
      metrics: [ { name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } } ]
strategy:
  canary:
    steps:
      - setWeight: 50
      - analysis: { templates: [canary-health] }
      - setWeight: 100
`)
  await canaryRouted(ramp)
  await v2.close()
  await healthEvent(ramp, /^v2 \(canary\) has no available backend/)
  const load = traffic(ramp.urls.main, 4)
  t.after(() => load.stop())
  await waitFor('the analysis to abort the rollout', () => ramp.driver.state.phase === 'Aborted', 10_000)
  await load.stop()
  assert.match(ramp.driver.state.abort?.message ?? '', /success-rate/)
  assert.deepEqual([...new Set(load.seen.map((r) => `${r.version} ${r.status}`))], ['v1 200'], 'clients only ever saw v1 answer')
})
