import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep, waitFor } from '../../support/world/eventually.js'
import { gated, patience } from './setup.js'

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('pre-rollout webhooks', { concurrency: true }, () => {
  test('pre-rollout: failures past failureLimit abort before the canary takes traffic; after a 2xx a retry runs the steps', async (t) => {
    const { w, hook } = await gated(t, {
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      webhooks: [{ name: 'checks', type: 'pre-rollout', failureLimit: 1 }],
    })
    // Each refusal takes a second, so that the checks are still running while the test looks
    // (refused at once, two calls 500 ms apart can abort before a loaded machine sees them run).
    hook.answer(500, '/checks', 1000)
    await w.routed()
    await waitFor('the first pre-rollout call', () => hook.to('/checks').length >= 1, patience)
    // failureLimit 1 tolerates this first failure: the checks are still running, at weight 0.
    const checking = await w.rollout()
    assert.equal(`${checking.phase}/${checking.reason}`, 'Progressing/PreRolloutChecks')
    assert.equal(checking.weight, 0)
    assert.deepEqual(await w.count(100), { v1: 100 })

    const aborted = await w.eventually('Aborted', 'AnalysisFailed')
    assert.equal(hook.to('/checks').length, 2, 'the second failure is the one past failureLimit 1')
    assert.equal(aborted.abort?.actor, 'ramp')
    assert.match(aborted.abort?.message ?? '', /pre-rollout webhooks failed.*HTTP 500.*2 failures > failureLimit 1/)
    assert.equal((await w.rollout()).routing.canary, null, 'the aborted canary left the routing table')
    await sleep(700)
    assert.equal(hook.to('/checks').length, 2, 'a failed gate is not called again')

    hook.answer(200, '/checks')
    assert.equal((await w.admin.verb('retry')).status, 200)
    const running = await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal(running.weight, 20)
    assert.equal(hook.to('/checks').length, 3, 'one 2xx is enough')
    for (const c of hook.to('/checks')) assert.deepEqual(c.body, { rollout: 'shop', phase: 'Progressing', step: null, weight: 0, version: 'v2' })
  })

  test('pre-rollout then confirm-rollout: the confirmation is asked only once the checks passed', async (t) => {
    const { w, hook } = await gated(t, {
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      webhooks: [{ name: 'checks', type: 'pre-rollout' }, { name: 'confirm', type: 'confirm-rollout' }],
    })
    hook.answer(503, '/confirm')
    await w.routed()
    await w.eventually('Paused', 'WaitingForConfirmation')
    await waitFor('the confirmation to be asked', () => hook.to('/confirm').length >= 1, patience)
    const [check] = hook.to('/checks')
    const [confirm] = hook.to('/confirm')
    assert.equal(hook.to('/checks').length, 1)
    assert.ok(check !== undefined && confirm !== undefined && check.at <= confirm.at, 'checks first, then the confirmation')
    hook.answer(200, '/confirm')
    assert.equal((await w.eventually('Paused', 'CanaryPauseStep')).weight, 20)
  })
})
