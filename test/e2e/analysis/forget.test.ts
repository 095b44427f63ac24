import assert from 'node:assert/strict'
import { test } from 'node:test'
import { admin, backend, canaryRouted, countVersions, rampWith } from '../../support/ramp.js'

test('once a version can never be measured again (replaced after a promotion), its windows are dropped', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\nreadiness: { intervalMs: 20 }\nstrategy: { canary: { steps: [ { setWeight: 50 }, { pause: {} } ] } }\n`)
  await countVersions(ramp.urls.main, 50)
  const reading = (version: string): number => ramp.measurements.window('main', version, Date.now() - 60_000, Date.now()).requests
  assert.equal(reading('v1'), 50)
  assert.equal((await admin(ramp, 'POST', '/api/v1/rollout', { version: { name: 'v2', backends: [v2.url] } })).status, 201)
  await canaryRouted(ramp)
  assert.equal(reading('v1'), 50, 'the stable keeps its windows while it is in the rollout')
  assert.equal((await admin(ramp, 'POST', '/api/v1/rollout/promote', { full: true })).status, 200)
  assert.equal(reading('v1'), 0, 'v1 left for good: its windows went with it')
})
