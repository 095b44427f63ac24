import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep, waitFor } from '../../support/world/eventually.js'
import { gated, patience, type Setup } from './setup.js'

const setup: Setup = {
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
  webhooks: [{ name: 'done', type: 'post-rollout' }],
  canaryAtBoot: false,
}

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('post-rollout webhooks', { concurrency: true }, () => {
  test('post-rollout: one POST when a rollout is promoted, one when the next is aborted, none in between', async (t) => {
    const { w, hook, deploy } = await gated(t, setup)
    assert.equal(await deploy('v2'), 201)
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    await sleep(300)
    assert.equal(hook.to('/done').length, 0, 'nothing has ended yet')

    assert.equal((await w.admin.verb('promote')).status, 200)
    await waitFor('the post-rollout call', () => hook.to('/done').length >= 1, patience)
    await sleep(300)
    assert.deepEqual(hook.to('/done').map((c) => c.body), [{ rollout: 'shop', phase: 'Healthy', step: null, weight: 0, version: 'v2' }])

    assert.equal(await deploy('v3'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal((await w.admin.verb('abort')).status, 200)
    await waitFor('the second post-rollout call', () => hook.to('/done').length >= 2, patience)
    await sleep(300)
    assert.equal(hook.to('/done').length, 2)
    assert.deepEqual(hook.to('/done')[1]?.body, { rollout: 'shop', phase: 'Aborted', step: 1, weight: 0, version: 'v3' })
  })

  test('post-rollout: a refusing hook is only logged; the rollout has ended either way', async (t) => {
    const { w, hook, deploy } = await gated(t, setup)
    hook.answer(500, '/done')
    assert.equal(await deploy('v2'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal((await w.admin.verb('promote')).status, 200)
    await waitFor('the post-rollout call', () => hook.to('/done').length >= 1, patience)
    await sleep(1200)
    assert.equal(hook.to('/done').length, 1, 'post-rollout is not retried')
    assert.equal((await w.rollout()).phase, 'Healthy')
  })

  test('post-rollout: a rollout superseded by a newer one is reported as the one that ended', async (t) => {
    const { w, hook, deploy, backends } = await gated(t, setup)
    assert.equal(await deploy('v2'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    const res = await w.admin.deploy({ name: 'v3', backends: [backends.v3.url] }, { supersede: true })
    assert.equal(res.status, 201)
    await waitFor('the post-rollout call', () => hook.to('/done').length >= 1, patience)
    const body = hook.to('/done')[0]?.body
    assert.equal(body?.version, 'v2')
    assert.equal(body?.phase, 'Aborted')
  })
})
