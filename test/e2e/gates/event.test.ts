import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { HistoryEntry } from '../../support/world/admin.js'
import { sleep, waitFor } from '../../support/world/eventually.js'
import type { HookCall } from './hook.js'
import { gated, patience, type Setup } from './setup.js'

const setup: Setup = {
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
  webhooks: [{ name: 'watch', type: 'event' }],
  canaryAtBoot: false,
}

const said = (c: HookCall): Record<string, unknown> => {
  const { event, from, to, detail, at } = c.body ?? {}
  return { event, from, to, detail, at }
}

// Each test mostly waits out 500 ms webhook intervals, so they run side by side.
describe('event webhooks', { concurrency: true }, () => {
  test('event: one POST per history entry, naming the event, with the rollout payload', async (t) => {
    const { w, hook, deploy } = await gated(t, setup)
    assert.equal(await deploy('v2'), 201)
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    assert.equal((await w.admin.verb('promote')).status, 200)
    await w.eventually('Healthy', 'Promoted')

    const history = await w.history()
    assert.deepEqual(history.map((e) => e.event), ['start', 'ready', 'promote'])
    await waitFor('one call per history entry', () => hook.to('/watch').length >= history.length, patience)
    await sleep(300)
    const calls = [...hook.to('/watch')].sort((a, b) => String(a.body?.at).localeCompare(String(b.body?.at)))
    assert.deepEqual(calls.map(said), history.map(({ event, from, to, detail, at }) => ({ event, from, to, detail, at })))
    const ready = history[1] as HistoryEntry
    assert.deepEqual(calls[1]?.body, {
      rollout: 'shop', phase: 'Paused', step: 1, weight: 20, version: 'v2', event: 'ready', from: 'Progressing', to: 'Paused', detail: ready.detail, at: ready.at,
    })
  })

  test('event: a refusing, hanging or unreachable event hook never holds the rollout up', async (t) => {
    // A hook timeout far beyond a release's time, even on a loaded machine (1.7 s once under
    // CPU hogs): an engine that waited on the hanging hook would take all of it.
    const { w, hook, deploy } = await gated(t, { ...setup, webhooks: [{ name: 'watch', type: 'event', timeout: '10s' }] })
    // Each release must end well inside the hook's timeout, or the engine waited on the hook.
    const promptly = async (name: 'v2' | 'v3', stable: string): Promise<void> => {
      const started = Date.now()
      assert.equal(await deploy(name), 201)
      await w.routed()
      await w.eventually('Paused', 'CanaryPauseStep')
      assert.equal((await w.admin.verb('promote')).status, 200)
      const done = await w.eventually('Healthy', 'Promoted')
      assert.equal(done.stable.name, stable)
      assert.ok(Date.now() - started < 5000, `${name} released in ${Date.now() - started} ms, not well inside the hook's 10 s timeout`)
    }

    hook.answer(500, '/watch')
    await promptly('v2', 'v2')
    assert.ok(hook.to('/watch').some((c) => c.status === 500), 'the hook was called and refused')

    hook.answer('hang', '/watch')
    await promptly('v3', 'v3')
    assert.ok(hook.to('/watch').some((c) => c.status === 0), 'the hook was called and left hanging')

    await hook.down()
    await promptly('v2', 'v2')
  })

  test('event: a refused event is sent again, and reaches the hook once it answers 2xx', async (t) => {
    const { hook, deploy } = await gated(t, setup)
    hook.answer(500, '/watch')
    assert.equal(await deploy('v2'), 201)
    await waitFor('the start event to be refused', () => hook.to('/watch').some((c) => c.body?.event === 'start'), patience)
    hook.answer(200, '/watch')
    // The first retry comes 1 s after the refusal.
    await waitFor('the start event to be accepted', () => hook.to('/watch').some((c) => c.body?.event === 'start' && c.status === 200), patience)
    const starts = hook.to('/watch').filter((c) => c.body?.event === 'start')
    assert.deepEqual(starts.map((c) => c.status), [500, 200])
  })

  test('event: the history entry of a rollout started from the config at boot is sent too', async (t) => {
    const { w, hook } = await gated(t, { ...setup, canaryAtBoot: true })
    await w.routed()
    await w.eventually('Paused', 'CanaryPauseStep')
    const history = await w.history()
    assert.deepEqual(history.map((e) => e.event), ['start', 'ready'])
    await waitFor('one call per history entry', () => hook.to('/watch').length >= history.length, 1000)
  })
})
