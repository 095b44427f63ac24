import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { admin, canaryRouted, waitFor } from '../../support/ramp.js'
import { patience, quiet, world, type Setup } from './world.js'

const setup: Setup = {
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
  webhooks: [{ name: 'done', type: 'post-rollout' }],
  canaryAtBoot: false,
}

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('post-rollout webhooks', { concurrency: true }, () => {
  test('post-rollout: one POST when a rollout is promoted, one when the next is aborted, none in between', async (t) => {
    const w = await world(t, setup)
    assert.equal(await w.deploy('v2'), 201)
    await canaryRouted(w.ramp)
    await w.eventually('Paused', 'CanaryPauseStep')
    await quiet(300)
    assert.equal(w.hook.to('/done').length, 0, 'nothing has ended yet')

    await w.verb('promote')
    await waitFor('the post-rollout call', () => w.hook.to('/done').length >= 1, patience)
    await quiet(300)
    assert.deepEqual(w.hook.to('/done').map((c) => c.body), [{ rollout: 'shop', phase: 'Healthy', step: null, weight: 0, version: 'v2' }])

    assert.equal(await w.deploy('v3'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    await w.verb('abort')
    await waitFor('the second post-rollout call', () => w.hook.to('/done').length >= 2, patience)
    await quiet(300)
    assert.equal(w.hook.to('/done').length, 2)
    assert.deepEqual(w.hook.to('/done')[1]?.body, { rollout: 'shop', phase: 'Aborted', step: 1, weight: 0, version: 'v3' })
  })

  test('post-rollout: a refusing hook is only logged; the rollout has ended either way', async (t) => {
    const w = await world(t, setup)
    w.hook.answer(500, '/done')
    assert.equal(await w.deploy('v2'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    await w.verb('promote')
    await waitFor('the post-rollout call', () => w.hook.to('/done').length >= 1, patience)
    await quiet(1200)
    assert.equal(w.hook.to('/done').length, 1, 'post-rollout is not retried')
    assert.equal((await w.status()).phase, 'Healthy')
  })

  test('post-rollout: a rollout superseded by a newer one is reported as the one that ended', async (t) => {
    const w = await world(t, setup)
    assert.equal(await w.deploy('v2'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    const res = await admin(w.ramp, 'POST', '/api/v1/rollout', { version: { name: 'v3', backends: [w.backends.v3.url] }, supersede: true })
    assert.equal(res.status, 201)
    await waitFor('the post-rollout call', () => w.hook.to('/done').length >= 1, patience)
    const body = w.hook.to('/done')[0]?.body
    assert.equal(body?.version, 'v2')
    assert.equal(body?.phase, 'Aborted')
  })
})
