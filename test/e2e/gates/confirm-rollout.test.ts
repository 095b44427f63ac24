import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canaryRouted, countVersions, waitFor } from '../../support/ramp.js'
import { patience, quiet, world } from './world.js'

test('confirm-rollout: a refusing hook holds the canary at weight 0, a 2xx lets the steps run', async (t) => {
  const w = await world(t, {
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
    webhooks: [{ name: 'confirm', type: 'confirm-rollout' }],
  })
  w.hook.answer(503, '/confirm')
  await canaryRouted(w.ramp)
  const waiting = await w.eventually('Paused', 'WaitingForConfirmation')
  assert.equal(waiting.weight, 0)
  // A gate that never fails is asked again and again; two refusals show it did not give up.
  await waitFor('a second refusal', () => w.hook.to('/confirm').length >= 2, patience)
  assert.equal((await w.status()).reason, 'WaitingForConfirmation', 'still waiting after being refused twice')
  assert.equal(w.ramp.tables.current.weightBp, 0)
  assert.deepEqual(await countVersions(w.ramp.urls.main, 100), { v1: 100 }, 'the main listener never reaches the unconfirmed version')
  assert.deepEqual(await countVersions(w.ramp.urls.preview as string, 20), { v2: 20 }, 'the preview listener does, so a person can check it')

  w.hook.answer(200, '/confirm')
  const running = await w.eventually('Paused', 'CanaryPauseStep')
  assert.equal(running.weight, 20)
  assert.equal(running.step, 1)
  assert.equal(w.ramp.tables.current.weightBp, 2000)

  const calls = w.hook.to('/confirm')
  assert.ok(calls.length >= 3)
  for (const c of calls) {
    assert.equal(c.method, 'POST')
    assert.match(String(c.headers['content-type']), /^application\/json/)
    assert.deepEqual(c.body, { rollout: 'shop', phase: 'Paused', step: null, weight: 0, version: 'v2' })
  }
  const settled = w.hook.to('/confirm').length
  await quiet(700)
  assert.equal(w.hook.to('/confirm').length, settled, 'a confirmed gate is not called again')
})
