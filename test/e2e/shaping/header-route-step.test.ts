import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { tally } from '../../support/world/traffic.js'
import { world, type World } from '../../support/world/world.js'

const qa = { 'x-team': 'qa' }

async function at(w: World, step: number): Promise<void> {
  const paused = await w.eventually('Paused', 'CanaryPauseStep')
  assert.equal(paused.step, step, 'paused at the expected step')
  await w.routed()
}

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('a setHeaderRoute step sends x-team: qa to v2 at weight 0 until a name-only step removes the route', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, {
        config: release({
          v1: v1.url, v2: v2.url, strategy: `canary:
  steps:
    - setHeaderRoute: { name: testers, match: [{ headerName: x-team, headerValue: { exact: qa } }] }
    - setWeight: 0
    - pause: {}
    - setHeaderRoute: { name: testers }
    - pause: {}
    - setWeight: 100`,
        }),
        workers,
      })
      await at(w, 2)
      assert.deepEqual(tally(await w.sequence(50, qa)), { v2: 50 }, 'the route wins over weight 0')
      assert.deepEqual(tally(await w.sequence(50, { 'x-team': 'qa2' })), { v1: 50 }, 'exact means exact')
      assert.deepEqual(tally(await w.sequence(50)), { v1: 50 })
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', { reason: 'route:testers', version: 'v2' }, 50), 50)

      assert.equal((await w.admin.promote()).status, 200)
      await at(w, 4)
      assert.equal((await w.rollout()).routing.routes.length, 0, 'the name-only step removed the route')
      assert.deepEqual(tally(await w.sequence(50, qa)), { v1: 50 })
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', {}, 200), 200, 'every request counted')
      assert.equal(await w.metric('ramp_routing_decisions_total', { reason: 'route:testers', version: 'v2' }), 50, 'no decision since')
    })

    test('abort removes a route made by a step, and retry makes it again', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, {
        config: release({
          v1: v1.url, v2: v2.url, strategy: `canary:
  steps:
    - setHeaderRoute: { name: testers, match: [{ headerName: x-team, headerValue: { exact: qa } }] }
    - setWeight: 10
    - pause: {}
    - setWeight: 100`,
        }),
        workers,
      })
      await at(w, 2)
      assert.deepEqual(tally(await w.sequence(100, qa)), { v2: 100 }, 'every x-team: qa request, not 10% of them')

      assert.equal((await w.admin.abort()).status, 200)
      assert.equal((await w.rollout()).phase, 'Aborted')
      assert.deepEqual(tally(await w.sequence(50, qa)), { v1: 50 })

      assert.equal((await w.admin.verb('retry')).status, 200)
      await at(w, 2)
      assert.deepEqual(tally(await w.sequence(20, qa)), { v2: 20 })
    })

    test('a setHeaderRoute step in a strategy given to POST /api/v1/rollout makes its route too, in the Argo headers form', async (t) => {
      const [v1, v3] = await backends(t, 'v1', 'v3')
      const w = await world(t, { config: release({ v1: v1.url }), workers })
      const res = await w.admin.deploy({ name: 'v3', backends: [v3.url] }, {
        strategy: { canary: { steps: [{ setHeaderRoute: { name: 'testers', match: [{ headers: { 'X-Team': { exact: 'qa' } } }] } }, { pause: {} }] } },
      })
      assert.equal(res.status, 201, JSON.stringify(res.body))
      await at(w, 1)
      assert.deepEqual(tally(await w.sequence(30, qa)), { v3: 30 })
      assert.deepEqual(tally(await w.sequence(30)), { v1: 30 })
    })
  })
}
