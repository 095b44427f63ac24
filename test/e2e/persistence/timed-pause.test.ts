import assert from 'node:assert/strict'
import { test } from 'node:test'
import { binomialBounds } from '../../support/prng.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { kill9 } from '../../support/world/process.js'
import { world } from '../../support/world/world.js'

test('kill -9 during a timed pause: the restart resumes the same step, weight and absolute deadline, and the pause ends on it', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const first = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 50', 'pause: { duration: 10s }', 'setWeight: 100'] }), process: true })
  const before = await first.eventually('Paused', 'TimedPause', 8000)
  assert.equal(before.step, 1)
  assert.equal(before.weight, 50)
  assert.notEqual(before.pauseUntil, null)

  await kill9(first.proc)
  const second = await first.restart()
  const deadline = Date.parse(before.pauseUntil as string)
  // Everything below needs the restart to land inside the pause; say so when it did not.
  assert.ok(Date.now() < deadline - 1000, `ramp took until ${new Date().toISOString()} to restart, too close to the deadline ${before.pauseUntil} (an overloaded machine?)`)
  const after = await second.rollout()
  assert.deepEqual(
    { phase: after.phase, reason: after.reason, step: after.step, weight: after.weight, pauseUntil: after.pauseUntil },
    { phase: 'Paused', reason: 'TimedPause', step: 1, weight: 50, pauseUntil: before.pauseUntil },
    'a restart that re-entered the step would have a later pauseUntil',
  )

  const counts = await second.count(400)
  const { low, high } = binomialBounds(400, 0.5)
  const onV2 = counts.v2 ?? 0
  assert.equal(onV2 + (counts.v1 ?? 0), 400)
  assert.ok(onV2 >= low && onV2 <= high, `v2 got ${onV2} of 400, expected ${low}..${high}`)
  // The traffic must have been sent inside the pause, or it measured the promoted table.
  const still = await second.rollout()
  assert.equal(`${still.phase}/${still.reason}`, 'Paused/TimedPause', 'still paused after the traffic')

  const done = await second.eventually('Healthy', 'Promoted', deadline - Date.now() + 3000)
  assert.equal(done.stable.name, 'v2')
  const elapsed = (await second.history()).find((e) => e.event === 'tick:pauseElapsed')
  assert.ok(elapsed !== undefined, 'the pause ended by its timer')
  const endedAt = Date.parse(elapsed.at)
  assert.ok(endedAt >= deadline, `the pause ended at ${elapsed.at}, before its deadline ${before.pauseUntil}`)
  assert.ok(endedAt < deadline + 1000, `the pause ended at ${elapsed.at}, well after its deadline ${before.pauseUntil}`)
})

test('a timed pause whose deadline passed while ramp was down ends as ramp starts', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const first = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps: ['setWeight: 20', 'pause: { duration: 1s }', 'setWeight: 60', 'pause: {}'] }), process: true })
  const before = await first.eventually('Paused', 'TimedPause', 8000)
  await kill9(first.proc)
  const deadline = Date.parse(before.pauseUntil as string)
  await waitFor('the deadline to pass while ramp is down', () => Date.now() > deadline + 200, 3000)

  const second = await first.restart()
  // No polling: the first answer after the listeners opened must already be past the pause.
  const after = await second.rollout()
  assert.equal(`${after.phase}/${after.reason}`, 'Paused/CanaryPauseStep', 'the next step\'s pause')
  assert.equal(after.step, 3)
  assert.equal(after.weight, 60)
  assert.equal(after.pauseUntil, null)
  const elapsed = (await second.history()).find((e) => e.event === 'tick:pauseElapsed')
  assert.ok(elapsed !== undefined, 'the pause was ended by the start-up tick')
  // "How soon after start" from ramp's first log line: Node's own start-up before it varies with the machine's load.
  const bootAt = second.logs().find((l) => l.msg.startsWith('config loaded'))?.time ?? Number.NaN
  const lag = Date.parse(elapsed.at) - bootAt
  assert.ok(lag >= 0 && lag < 1000, `the overdue pause ended ${lag} ms after ramp started`)
})
