import assert from 'node:assert/strict'
import { test } from 'node:test'
import { given, type World } from '../given.js'
import { canaryRouted } from '../../support/ramp.js'
import { metric, sequence, tally } from './support.js'

const qa = { 'x-team': 'qa' }

async function at(w: World, step: number): Promise<void> {
  await w.then.eventually('Paused', 'CanaryPauseStep')
  assert.equal(w.ramp.driver.state.stepIndex, step, 'paused at the expected step')
  await canaryRouted(w.ramp)
}

test('a setHeaderRoute step sends x-team: qa to v2 at weight 0 until a name-only step removes the route', async (t) => {
  const w = await given(t, {
    strategy: `canary:
  steps:
    - setHeaderRoute: { name: testers, match: [{ headerName: x-team, headerValue: { exact: qa } }] }
    - setWeight: 0
    - pause: {}
    - setHeaderRoute: { name: testers }
    - pause: {}
    - setWeight: 100`,
  })
  await at(w, 2)
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 50, qa)), { v2: 50 }, 'the route wins over weight 0')
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 50, { 'x-team': 'qa2' })), { v1: 50 }, 'exact means exact')
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 50)), { v1: 50 })
  assert.equal(await metric(w.ramp, 'ramp_routing_decisions_total', { reason: 'route:testers', version: 'v2' }), 50)

  assert.equal((await w.when.promote()).status, 200)
  await at(w, 4)
  assert.equal(w.ramp.tables.current.routes.length, 0, 'the name-only step removed the route')
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 50, qa)), { v1: 50 })
  assert.equal(await metric(w.ramp, 'ramp_routing_decisions_total', { reason: 'route:testers', version: 'v2' }), 50, 'no decision since')
})

test('abort removes a route made by a step, and retry makes it again', async (t) => {
  const w = await given(t, {
    strategy: `canary:
  steps:
    - setHeaderRoute: { name: testers, match: [{ headerName: x-team, headerValue: { exact: qa } }] }
    - setWeight: 10
    - pause: {}
    - setWeight: 100`,
  })
  await at(w, 2)
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 100, qa)), { v2: 100 }, 'every x-team: qa request, not 10% of them')

  assert.equal((await w.when.verb('abort')).status, 200)
  await w.then.phase('Aborted')
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 50, qa)), { v1: 50 })

  assert.equal((await w.when.verb('retry')).status, 200)
  await at(w, 2)
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 20, qa)), { v2: 20 })
})

test('a setHeaderRoute step in a strategy given to POST /api/v1/rollout makes its route too, in the Argo headers form', async (t) => {
  const w = await given(t, { canary: null })
  const res = await w.when.deploy('v3', {
    strategy: { canary: { steps: [{ setHeaderRoute: { name: 'testers', match: [{ headers: { 'X-Team': { exact: 'qa' } } }] } }, { pause: {} }] } },
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  await at(w, 1)
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 30, qa)), { v3: 30 })
  assert.deepEqual(tally(await sequence(w.ramp.urls.main, 30)), { v1: 30 })
})
