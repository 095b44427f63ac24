import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backend, canaryRouted, countVersions, rampWith } from '../support/ramp.js'

test('the preview listener sends every request to the canary, whatever the weight', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, `
listen: { port: 0 }
preview: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
canary: { name: v2, backends: ["${v2.url}"] }
weight: 0
readiness: { intervalMs: 20 }
`)
  await canaryRouted(ramp)
  assert.deepEqual(await countVersions(ramp.urls.preview as string, 500), { v2: 500 })
  assert.deepEqual(await countVersions(ramp.urls.main, 200), { v1: 200 })
})

test('with no canary the preview listener sends every request to stable', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, `
listen: { port: 0 }
preview: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
`)
  assert.deepEqual(await countVersions(ramp.urls.preview as string, 300), { v1: 300 })
})
