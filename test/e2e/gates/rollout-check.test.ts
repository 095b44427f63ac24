import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { waitFor } from '../../support/world/eventually.js'
import { gated, patience, type Setup } from './setup.js'

/**
 * An analysis step whose own template can only pass (requestRate >= 0 needs no traffic), so
 * the `rollout` webhook joining the run is the only thing that can fail it.
 */
const setup: Setup = {
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { analysis: { templates: ['rate'] } }, { setWeight: 50 }, { pause: {} }] } },
  templates: [{ name: 'rate', interval: '500ms', count: 3, minRequests: 0, metrics: [{ name: 'rps', builtin: 'requestRate', thresholdRange: { min: 0 } }] }],
  webhooks: [{ name: 'check', type: 'rollout' }],
}

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('rollout webhooks', { concurrency: true }, () => {
  test('rollout webhook: a non-2xx during an analysis step fails the run and aborts the rollout', async (t) => {
    const { w, hook } = await gated(t, setup)
    hook.answer(500, '/check')
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal(hook.to('/check').length, 0, 'a rollout check is called only while an analysis runs')

    assert.equal((await w.admin.verb('promote')).status, 200)
    const aborted = await w.eventually('Aborted', 'AnalysisFailed')
    assert.match(aborted.abort?.message ?? '', /analysis rate failed: rollout:check failed.*HTTP 500/)
    assert.equal((await w.rollout()).routing.canary, null)
    assert.equal(hook.to('/check').length, 1, 'failureLimit 0: the first refusal decides')
  })

  test('rollout webhook: the payload describes the analysis step being measured, not the pause before it', async (t) => {
    const { w, hook } = await gated(t, setup)
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal((await w.admin.verb('promote')).status, 200)
    await waitFor('the rollout check to be called', () => hook.to('/check').length >= 1, patience)
    assert.deepEqual(hook.to('/check')[0]?.body, { rollout: 'shop', phase: 'Progressing', step: 2, weight: 20, version: 'v2' })
  })

  test('rollout webhook: answering 2xx throughout, the analysis step passes once its template has its count', async (t) => {
    const { w, hook } = await gated(t, setup)
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal((await w.admin.verb('promote')).status, 200)
    await waitFor('the rollout check to be called', () => hook.to('/check').length >= 1, patience)
    const next = await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal(next.weight, 50)
    assert.equal(next.step, 4)
    // Measured each interval beside the template's 3: at 0, 500 and 1000 ms.
    assert.ok(hook.to('/check').length >= 2, `called ${hook.to('/check').length} times`)
  })
})
