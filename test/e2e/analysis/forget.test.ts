import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

test('once a version can never be measured again (replaced after a promotion), its windows are dropped', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } }) })
  await w.count(50)
  // The windows themselves are shown nowhere but to analysis: read in this process.
  const reading = (version: string): number => w.ramp.measurements.window('main', version, Date.now() - 60_000, Date.now()).requests
  assert.equal(reading('v1'), 50)
  assert.equal((await w.admin.deploy({ name: 'v2', backends: [v2.url] })).status, 201)
  await w.routed()
  assert.equal(reading('v1'), 50, 'the stable keeps its windows while it is in the rollout')
  assert.equal((await w.admin.promote(true)).status, 200)
  assert.equal(reading('v1'), 0, 'v1 left for good: its windows went with it')
})
