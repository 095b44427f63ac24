import assert from 'node:assert/strict'
import { test } from 'node:test'
import { manualClock } from '../../support/manual-clock.js'
import { canaryRouted } from '../../support/ramp.js'
import { given } from '../given.js'

const steps = `canary:
  steps:
    - setWeight: 20
    - pause: {}
    - setWeight: 50
    - pause: { duration: 30s }
    - setWeight: 100`

test('a full canary run through the admin API, with the split measured at every step', async (t) => {
  const clock = manualClock()
  const { ramp, when, then } = await given(t, { strategy: steps, clock })
  await canaryRouted(ramp)
  await then.phase('Paused', 'CanaryPauseStep')
  then.weight(20)
  await then.split(4000)
  await then.previewServes('v2')

  const promoted = await when.promote()
  assert.equal(promoted.status, 200)
  assert.equal(promoted.body.message, `Paused: timed pause until ${String(promoted.body.pauseUntil).slice(11, 19)}, step 4/5`)
  then.weight(50)
  await then.split(4000)
  clock.advance(29_000)
  await then.phase('Paused', 'TimedPause')
  clock.advance(1_000)

  await then.eventually('Healthy', 'Promoted')
  await then.mainServes('v2')
  await then.previewServes('v2')
  const state = (await when.verb('promote')).body
  assert.equal((state.stable as { name: string }).name, 'v2', 'the canary became stable')
  assert.deepEqual(state.previousStable, { name: 'v1', backends: [ramp.config.stable.backends[0]] }, 'the old stable is kept for undo')
  assert.equal(state.canary, null, 'the old stable left the table')
})

test('abort sends 100% to stable at once and retry starts again from step 0', async (t) => {
  const { ramp, when, then } = await given(t, { strategy: steps })
  await canaryRouted(ramp)
  const aborted = await when.verb('abort', { message: 'error budget' })
  assert.equal(aborted.status, 200)
  assert.equal(aborted.body.message, 'Aborted: by admin: error budget')
  then.weight(0)
  await then.mainServes('v1')
  await then.previewServes('v1')

  const again = await when.verb('abort')
  assert.equal(again.status, 200, 'a repeated abort is a no-op')

  const retried = await when.verb('retry')
  assert.equal(retried.status, 200)
  assert.equal(retried.body.attempt, 2)
  await then.eventually('Paused', 'CanaryPauseStep')
  then.weight(20)
})

test('a manual weight pauses the rollout there until promote', async (t) => {
  const { ramp, when, then } = await given(t, { strategy: steps })
  await canaryRouted(ramp)
  const set = await when.setWeight(35.5)
  assert.equal(set.status, 200)
  assert.equal(set.body.reason, 'ManualWeight')
  then.weight(35.5)
  await then.split(2000)
  const next = await when.promote()
  assert.equal(next.status, 200)
  then.weight(50)
})

test('a verb that does not apply answers 409 with the phase and the verbs that do', async (t) => {
  const { ramp, when } = await given(t, { strategy: steps })
  await canaryRouted(ramp)
  const res = await when.verb('resume')
  assert.equal(res.status, 409)
  assert.equal(res.body.error, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED')
  assert.equal(res.body.phase, 'Paused')
  assert.deepEqual(res.body.allowed, ['promote', 'promoteFull', 'pause', 'setWeight', 'abort'])
  assert.match(String(res.body.message), /resume does not apply in phase Paused \(CanaryPauseStep\)/)
})

test('a new rollout while one is in progress is refused with 409, unless it supersedes', async (t) => {
  const { ramp, when, then } = await given(t, { strategy: steps })
  await canaryRouted(ramp)
  const refused = await when.deploy('v3')
  assert.equal(refused.status, 409)
  assert.equal(refused.body.error, 'RAMP_ERR_ROLLOUT_IN_PROGRESS')
  const superseded = await when.deploy('v3', { supersede: true })
  assert.equal(superseded.status, 201)
  await then.eventually('Paused', 'CanaryPauseStep')
  assert.equal(ramp.tables.current.canary?.name, 'v3')
  await then.split(2000)
})

test('a deployed version is not routed until every backend is ready, and the progress deadline aborts one that never is', async (t) => {
  const { ramp, when, then } = await given(t, { strategy: steps, canary: null, extra: 'progressDeadlineSeconds: 1' })
  const res = await when.verb('promote')
  assert.equal(res.status, 409, 'nothing to promote before a rollout')
  const started = await (await import('../../support/ramp.js')).admin(ramp, 'POST', '/api/v1/rollout', { version: { name: 'v9', backends: ['http://127.0.0.1:1'] } })
  assert.equal(started.status, 201)
  assert.equal(started.body.reason, 'WaitingForReadiness')
  await then.mainServes('v1', 50)
  await then.previewServes('v1', 50)
  await then.eventually('Aborted', 'ProgressDeadlineExceeded', 4000)
  assert.match(String((await when.verb('abort')).body.message), /v9 not ready within the progress deadline of 1s/)
})
