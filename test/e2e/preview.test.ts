import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backend, backends } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { world } from '../support/world/world.js'

test('the preview listener sends every request to the canary, whatever the weight', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, weight: 0 }) })
  await w.routed()
  assert.deepEqual(await w.count(500, { listener: 'preview' }), { v2: 500 })
  assert.deepEqual(await w.count(200), { v1: 200 })
})

test('with no canary the preview listener sends every request to stable', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url, preview: true }) })
  assert.deepEqual(await w.count(300, { listener: 'preview' }), { v1: 300 })
})
