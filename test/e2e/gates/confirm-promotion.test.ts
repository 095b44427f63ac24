import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { waitFor } from '../../support/world/eventually.js'
import { gated, patience } from './setup.js'

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('confirm-promotion webhooks', { concurrency: true }, () => {
  test('confirm-promotion (canary): past the last step the rollout waits at the last weight; a 2xx promotes', async (t) => {
    const { w, hook } = await gated(t, {
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: '200ms' } }, { setWeight: 50 }] } },
      webhooks: [{ name: 'promotion', type: 'confirm-promotion' }],
    })
    hook.answer(503, '/promotion')
    await w.routed()
    const waiting = await w.eventually('Paused', 'WaitingForPromotionConfirmation')
    assert.equal(waiting.weight, 50)
    await waitFor('a second refusal', () => hook.to('/promotion').length >= 2, patience)
    assert.equal((await w.rollout()).reason, 'WaitingForPromotionConfirmation', 'a refusal never aborts: the gate waits')
    const served = await w.count(200)
    assert.ok((served.v1 ?? 0) > 0 && (served.v2 ?? 0) > 0, `both versions keep serving at 50%: ${JSON.stringify(served)}`)

    hook.answer(200, '/promotion')
    const done = await w.eventually('Healthy', 'Promoted')
    assert.equal(done.stable.name, 'v2')
    assert.deepEqual(await w.count(100), { v2: 100 })
    for (const c of hook.to('/promotion')) assert.deepEqual(c.body, { rollout: 'shop', phase: 'Paused', step: 2, weight: 50, version: 'v2' })
  })

  test('confirm-promotion (blue/green): the flip waits for the gate with main on the old version; a 2xx flips', async (t) => {
    const { w, hook } = await gated(t, {
      strategy: { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 0 } },
      webhooks: [{ name: 'promotion', type: 'confirm-promotion' }],
    })
    hook.answer(503, '/promotion')
    await w.routed()
    const waiting = await w.eventually('Paused', 'WaitingForPromotionConfirmation')
    assert.equal(waiting.weight, 0)
    await waitFor('a second refusal', () => hook.to('/promotion').length >= 2, patience)
    assert.deepEqual(await w.count(100), { v1: 100 })
    assert.deepEqual(await w.count(20, { listener: 'preview' }), { v2: 20 })

    hook.answer(200, '/promotion')
    await w.eventually('Healthy', 'Promoted')
    assert.deepEqual(await w.count(100), { v2: 100 })
  })
})
