import assert from 'node:assert/strict'
import { test } from 'node:test'
import { countVersions } from '../../support/ramp.js'
import { api, givenRelease, history, inPromotePause, kill9, promoted, rollout, rolloutUntil, serve, type RolloutView } from './harness.js'

test('a promote that answered 200 survives a kill -9 sent right after the answer', async (t) => {
  const release = await givenRelease(t, ['setWeight: 50', 'pause: {}', 'setWeight: 100'])
  const first = await serve(t, release)
  await rolloutUntil(first, 'the promote pause', inPromotePause)

  const res = await api<RolloutView>(first, 'POST', '/api/v1/rollout/promote', {})
  // Killed before anything else runs: only what was durable when the answer left survives.
  first.proc.child.kill('SIGKILL')
  assert.equal(res.status, 200)
  assert.ok(promoted(res.body), `promote answered ${res.body.phase}/${res.body.reason}`)
  await first.proc.exit

  const second = await serve(t, release)
  const after = await rollout(second)
  assert.ok(promoted(after), `after the restart: ${after.phase}/${after.reason}`)
  assert.equal(after.revision, res.body.revision)
  assert.equal(after.stable.name, 'v2', 'the stored state wins over the config, which still names v1 stable')
  assert.equal(after.canary, null)
  assert.deepEqual(await countVersions(second.urls.main, 50), { v2: 50 })
})

test('the event history from before a kill -9 is still there after the restart, and grows from it', async (t) => {
  const release = await givenRelease(t, ['setWeight: 20', 'pause: {}', 'setWeight: 50', 'pause: {}', 'setWeight: 100'])
  const first = await serve(t, release)
  await rolloutUntil(first, 'the first pause', inPromotePause)
  assert.equal((await api(first, 'POST', '/api/v1/rollout/promote', {})).status, 200)
  const before = await history(first)
  assert.ok(before.length >= 3, `expected start, ready and promote in ${JSON.stringify(before)}`)
  assert.ok(before.some((e) => e.event === 'promote'), 'the promote is in the history')

  await kill9(first)
  const second = await serve(t, release)
  assert.deepEqual(await history(second), before)

  assert.equal((await api(second, 'POST', '/api/v1/rollout/promote', {})).status, 200)
  const grown = await history(second)
  assert.deepEqual(grown.slice(0, before.length), before)
  assert.deepEqual(grown.slice(before.length).map((e) => e.event), ['promote'])
})
