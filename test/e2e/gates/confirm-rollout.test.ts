import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sleep, waitFor } from '../../support/world/eventually.js'
import { gated, patience } from './setup.js'

test('confirm-rollout: a refusing hook holds the canary at weight 0, a 2xx lets the steps run', async (t) => {
  const { w, hook } = await gated(t, {
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
    webhooks: [{ name: 'confirm', type: 'confirm-rollout' }],
  })
  hook.answer(503, '/confirm')
  await w.routed()
  const waiting = await w.eventually('Paused', 'WaitingForConfirmation')
  assert.equal(waiting.weight, 0)
  // A gate that never fails is asked again and again; two refusals show it did not give up.
  await waitFor('a second refusal', () => hook.to('/confirm').length >= 2, patience)
  assert.equal((await w.rollout()).reason, 'WaitingForConfirmation', 'still waiting after being refused twice')
  assert.equal((await w.rollout()).routing.weight, 0)
  assert.deepEqual(await w.count(100), { v1: 100 }, 'the main listener never reaches the unconfirmed version')
  assert.deepEqual(await w.count(20, { listener: 'preview' }), { v2: 20 }, 'the preview listener does, so a person can check it')

  hook.answer(200, '/confirm')
  const running = await w.eventually('Paused', 'CanaryPauseStep')
  assert.equal(running.weight, 20)
  assert.equal(running.step, 1)
  assert.equal((await w.rollout()).routing.weight, 20)

  const calls = hook.to('/confirm')
  assert.ok(calls.length >= 3)
  for (const c of calls) {
    assert.equal(c.method, 'POST')
    assert.match(String(c.headers['content-type']), /^application\/json/)
    assert.deepEqual(c.body, { rollout: 'shop', phase: 'Paused', step: null, weight: 0, version: 'v2' })
  }
  const settled = hook.to('/confirm').length
  await sleep(700)
  assert.equal(hook.to('/confirm').length, settled, 'a confirmed gate is not called again')
})
