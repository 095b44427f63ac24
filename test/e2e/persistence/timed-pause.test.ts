import assert from 'node:assert/strict'
import { test } from 'node:test'
import { binomialBounds } from '../../support/prng.js'
import { countVersions, waitFor } from '../../support/ramp.js'
import { givenRelease, history, inPromotePause, inTimedPause, kill9, promoted, rollout, rolloutUntil, serve } from './harness.js'

test('kill -9 during a timed pause: the restart resumes the same step, weight and absolute deadline, and the pause ends on it', async (t) => {
  const release = await givenRelease(t, ['setWeight: 50', 'pause: { duration: 10s }', 'setWeight: 100'])
  const first = await serve(t, release)
  const before = await rolloutUntil(first, 'the timed pause', inTimedPause)
  assert.equal(before.step, 1)
  assert.equal(before.weight, 50)
  assert.notEqual(before.pauseUntil, null)

  await kill9(first)
  const second = await serve(t, release)
  const deadline = Date.parse(before.pauseUntil as string)
  // Everything below needs the restart to land inside the pause; say so when it did not.
  assert.ok(Date.now() < deadline - 1000, `ramp took until ${new Date().toISOString()} to restart, too close to the deadline ${before.pauseUntil} (an overloaded machine?)`)
  const after = await rollout(second)
  assert.deepEqual(
    { phase: after.phase, reason: after.reason, step: after.step, weight: after.weight, pauseUntil: after.pauseUntil },
    { phase: 'Paused', reason: 'TimedPause', step: 1, weight: 50, pauseUntil: before.pauseUntil },
    'a restart that re-entered the step would have a later pauseUntil',
  )

  const counts = await countVersions(second.urls.main, 400)
  const { low, high } = binomialBounds(400, 0.5)
  const onV2 = counts.v2 ?? 0
  assert.equal(onV2 + (counts.v1 ?? 0), 400)
  assert.ok(onV2 >= low && onV2 <= high, `v2 got ${onV2} of 400, expected ${low}..${high}`)
  // The traffic must have been sent inside the pause, or it measured the promoted table.
  assert.ok(inTimedPause(await rollout(second)), 'still paused after the traffic')

  const done = await rolloutUntil(second, 'the promotion after the pause', promoted, deadline - Date.now() + 3000)
  assert.equal(done.stable.name, 'v2')
  const elapsed = (await history(second)).find((e) => e.event === 'tick:pauseElapsed')
  assert.ok(elapsed !== undefined, 'the pause ended by its timer')
  const endedAt = Date.parse(elapsed.at)
  assert.ok(endedAt >= deadline, `the pause ended at ${elapsed.at}, before its deadline ${before.pauseUntil}`)
  assert.ok(endedAt < deadline + 1000, `the pause ended at ${elapsed.at}, well after its deadline ${before.pauseUntil}`)
})

test('a timed pause whose deadline passed while ramp was down ends as ramp starts', async (t) => {
  const release = await givenRelease(t, ['setWeight: 20', 'pause: { duration: 1s }', 'setWeight: 60', 'pause: {}'])
  const first = await serve(t, release)
  const before = await rolloutUntil(first, 'the timed pause', inTimedPause)
  await kill9(first)
  const deadline = Date.parse(before.pauseUntil as string)
  await waitFor('the deadline to pass while ramp is down', () => Date.now() > deadline + 200, 3000)

  const second = await serve(t, release)
  // No polling: the first answer after the listeners opened must already be past the pause.
  const after = await rollout(second)
  assert.ok(inPromotePause(after), `expected the next step's pause, got ${after.phase}/${after.reason}`)
  assert.equal(after.step, 3)
  assert.equal(after.weight, 60)
  assert.equal(after.pauseUntil, null)
  const elapsed = (await history(second)).find((e) => e.event === 'tick:pauseElapsed')
  assert.ok(elapsed !== undefined, 'the pause was ended by the start-up tick')
  const lag = Date.parse(elapsed.at) - second.bootAt
  assert.ok(lag >= 0 && lag < 1000, `the overdue pause ended ${lag} ms after ramp started`)
})
