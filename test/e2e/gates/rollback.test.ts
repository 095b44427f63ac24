import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { canaryRouted, countVersions, rampWith, waitFor } from '../../support/ramp.js'
import { patience, quiet, world, type Setup } from './world.js'

const setup: Setup = {
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }] } },
  webhooks: [{ name: 'kill', type: 'rollback' }],
}

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('rollback webhooks', { concurrency: true }, () => {
  test('rollback: a 404 changes nothing; a 2xx aborts the rollout, by webhook:<name>', async (t) => {
    const w = await world(t, setup)
    w.hook.answer(404, '/kill')
    await canaryRouted(w.ramp)
    await w.eventually('Paused', 'CanaryPauseStep')
    await waitFor('two refused polls', () => w.hook.to('/kill').length >= 2, patience)
    const still = await w.status()
    assert.equal(`${still.phase}/${still.reason}`, 'Paused/CanaryPauseStep')
    assert.equal(still.weight, 20)

    w.hook.answer(200, '/kill')
    const aborted = await w.eventually('Aborted', 'AbortedByAdmin')
    assert.equal(aborted.abort?.actor, 'webhook:kill')
    assert.match(aborted.abort?.message ?? '', /rollback webhook kill answered 2xx/)
    const abort = (await w.events()).filter((e) => e.event === 'abort')
    assert.deepEqual(abort.map((e) => ({ actor: e.actor, from: e.from, to: e.to })), [{ actor: 'webhook:kill', from: 'Paused', to: 'Aborted' }])
    assert.deepEqual(await countVersions(w.ramp.urls.main, 100), { v1: 100 })

    const polls = w.hook.to('/kill').length
    await quiet(800)
    assert.equal(w.hook.to('/kill').length, polls, 'no rollout in progress, no polling')
  })

  test('rollback: not polled while no rollout is in progress', async (t) => {
    const w = await world(t, { ...setup, canaryAtBoot: false })
    await quiet(800)
    assert.equal(w.hook.to('/kill').length, 0)
    assert.equal((await w.status()).phase, 'Healthy')
  })

  test('rollback: the payload follows the rollout as it moves', async (t) => {
    const w = await world(t, setup)
    w.hook.answer(404, '/kill')
    await canaryRouted(w.ramp)
    await w.eventually('Paused', 'CanaryPauseStep')
    await w.verb('promote')
    await w.eventually('Paused', 'CanaryPauseStep')
    const seen = w.hook.to('/kill').length
    await waitFor('a poll after the promote', () => w.hook.to('/kill').length > seen + 1, patience)
    assert.deepEqual(w.hook.to('/kill').at(-1)?.body, { rollout: 'shop', phase: 'Paused', step: 3, weight: 50, version: 'v2' })
  })

  test('rollback: a rollout resumed from the store after a restart is polled', async (t) => {
    const w = await world(t, setup)
    w.hook.answer(404, '/kill')
    await canaryRouted(w.ramp)
    await w.eventually('Paused', 'CanaryPauseStep')
    await w.ramp.close()
    w.hook.answer(200, '/kill')
    const again = await rampWith(t, w.yaml, { store: w.store })
    await waitFor('the resumed rollout to be rolled back', () => again.driver.state.phase === 'Aborted', 1500)
    assert.equal(again.driver.state.abort?.actor, 'webhook:kill')
  })

  test('rollback: a poll still in flight when its rollout ends does not leave a second poller for the next rollout', async (t) => {
    const w = await world(t, setup)
    // Slow refusals, so an answer is still on its way while the rollout is replaced.
    w.hook.answer(404, '/kill', 300)
    await canaryRouted(w.ramp)
    await w.eventually('Paused', 'CanaryPauseStep')
    const before = w.hook.to('/kill').length
    await waitFor('a poll to arrive', () => w.hook.to('/kill').length > before, patience)
    await w.verb('abort')
    assert.equal(await w.deploy('v3'), 201)
    await w.eventually('Paused', 'CanaryPauseStep')
    await quiet(400)
    const from = w.hook.to('/kill').length
    await quiet(2400)
    // One poller calls every 500 ms + the 300 ms answer: three in 2.4 s, four at most; two pollers, six.
    const polls = w.hook.to('/kill').length - from
    assert.ok(polls <= 4, `${polls} polls in 2.4 s`)
  })
})
