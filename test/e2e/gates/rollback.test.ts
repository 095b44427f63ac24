import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep, waitFor } from '../../support/world/eventually.js'
import { gated, patience, type Setup } from './setup.js'

const setup: Setup = {
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }] } },
  webhooks: [{ name: 'kill', type: 'rollback' }],
}

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('rollback webhooks', { concurrency: true }, () => {
  test('rollback: a 404 changes nothing; a 2xx aborts the rollout, by webhook:<name>', async (t) => {
    const { w, hook } = await gated(t, setup)
    hook.answer(404, '/kill')
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    await waitFor('two refused polls', () => hook.to('/kill').length >= 2, patience)
    const still = await w.rollout()
    assert.equal(`${still.phase}/${still.reason}`, 'Paused/CanaryPauseStep')
    assert.equal(still.weight, 20)

    hook.answer(200, '/kill')
    const aborted = await w.eventually('Aborted', 'AbortedByAdmin')
    assert.equal(aborted.abort?.actor, 'webhook:kill')
    assert.match(aborted.abort?.message ?? '', /rollback webhook kill answered 2xx/)
    const abort = (await w.history()).filter((e) => e.event === 'abort')
    assert.deepEqual(abort.map((e) => ({ actor: e.actor, from: e.from, to: e.to })), [{ actor: 'webhook:kill', from: 'Paused', to: 'Aborted' }])
    assert.deepEqual(await w.count(100), { v1: 100 })

    const polls = hook.to('/kill').length
    await sleep(800)
    assert.equal(hook.to('/kill').length, polls, 'no rollout in progress, no polling')
  })

  test('rollback: not polled while no rollout is in progress', async (t) => {
    const { w, hook } = await gated(t, { ...setup, canaryAtBoot: false })
    await sleep(800)
    assert.equal(hook.to('/kill').length, 0)
    assert.equal((await w.rollout()).phase, 'Healthy')
  })

  test('rollback: the payload follows the rollout as it moves', async (t) => {
    const { w, hook } = await gated(t, setup)
    hook.answer(404, '/kill')
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal((await w.admin.verb('promote')).status, 200)
    await w.eventually('Paused', 'CanaryPauseStep')
    const seen = hook.to('/kill').length
    await waitFor('a poll after the promote', () => hook.to('/kill').length > seen + 1, patience)
    assert.deepEqual(hook.to('/kill').at(-1)?.body, { rollout: 'shop', phase: 'Paused', step: 3, weight: 50, version: 'v2' })
  })

  test('rollback: a rollout resumed from the store after a restart is polled', async (t) => {
    const { w, hook } = await gated(t, setup)
    hook.answer(404, '/kill')
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    await w.stop()
    hook.answer(200, '/kill')
    const again = await w.restart()
    const rolledBack = await again.until('the resumed rollout to be rolled back', (v) => v.phase === 'Aborted', 1500)
    assert.equal(rolledBack.abort?.actor, 'webhook:kill')
  })

  test('rollback: a poll still in flight when its rollout ends does not leave a second poller for the next rollout', async (t) => {
    const { w, hook, deploy } = await gated(t, setup)
    // Slow refusals, so an answer is still on its way while the rollout is replaced.
    hook.answer(404, '/kill', 300)
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    const before = hook.to('/kill').length
    await waitFor('a poll to arrive', () => hook.to('/kill').length > before, patience)
    assert.equal((await w.admin.verb('abort')).status, 200)
    assert.equal(await deploy('v3'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    await sleep(400)
    const from = hook.to('/kill').length
    await sleep(2400)
    // One poller calls every 500 ms + the 300 ms answer: three in 2.4 s, four at most; two pollers, six.
    const polls = hook.to('/kill').length - from
    assert.ok(polls <= 4, `${polls} polls in 2.4 s`)
  })
})
