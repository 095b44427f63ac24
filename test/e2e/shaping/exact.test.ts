import assert from 'node:assert/strict'
import { test } from 'node:test'
import { admin, backend, canaryRouted, countVersions, rampWith } from '../../support/ramp.js'
import { metric, sequence, split } from './support.js'

// No seeded random here on purpose: an exact split must not depend on the draw at all.

test('balance: exact at weight 20 puts exactly 20 of every 100 consecutive requests on v2', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, split(v1.url, v2.url, 20, 'balance: exact'))
  await canaryRouted(ramp)
  const versions = await sequence(ramp.urls.main, 400)
  // Every window, not only 1-100, 101-200, ...: the round robin's period (5) divides 100.
  for (let start = 0; start + 100 <= versions.length; start++) {
    const onV2 = versions.slice(start, start + 100).filter((v) => v === 'v2').length
    assert.equal(onV2, 20, `requests ${start + 1}-${start + 100} had ${onV2} on v2`)
  }
  assert.equal(versions.filter((v) => v === 'v2').length, 80)
})

test('balance: exact with 8 concurrent clients: exactly 200 of 1000 requests on v2', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, split(v1.url, v2.url, 20, 'balance: exact'))
  await canaryRouted(ramp)
  assert.deepEqual(await countVersions(ramp.urls.main, 1000, 8), { v1: 800, v2: 200 })
})

test('balance: exact leaves overridden requests out of the count, so they do not shift the split', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, split(v1.url, v2.url, 12.5, 'balance: exact'))
  await canaryRouted(ramp)
  // Overrides interleaved with weighted requests on one connection: only the weighted ones
  // take a turn of the round robin (period 8 at 12.5%).
  const weighted: string[] = []
  for (let i = 0; i < 40; i++) {
    weighted.push(...await sequence(ramp.urls.main, 1))
    assert.deepEqual(await sequence(ramp.urls.main, 1, { 'x-ramp-version': 'always' }), ['v2'])
  }
  for (let start = 0; start + 8 <= weighted.length; start += 8) {
    assert.equal(weighted.slice(start, start + 8).filter((v) => v === 'v2').length, 1, `weighted requests ${start + 1}-${start + 8}`)
  }
  assert.equal(await metric(ramp, 'ramp_routing_decisions_total', { reason: 'weight', version: 'v2' }), 5)
})

test('balance: exact follows a weight change at once, exact at the new weight', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, split(v1.url, v2.url, 20, 'balance: exact'))
  await canaryRouted(ramp)
  await sequence(ramp.urls.main, 7)
  assert.equal((await admin(ramp, 'PUT', '/api/v1/rollout/weight', { weight: 50 })).status, 200)
  const versions = await sequence(ramp.urls.main, 100)
  assert.equal(versions.filter((v) => v === 'v2').length, 50)
  for (let i = 0; i + 2 <= versions.length; i += 2) assert.equal(versions.slice(i, i + 2).filter((v) => v === 'v2').length, 1, `pair ${i / 2 + 1}`)
})
