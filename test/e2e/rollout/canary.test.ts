import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { manualClock } from '../../support/manual-clock.js'
import { binomialBounds } from '../../support/prng.js'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { seedFor, world, type World } from '../../support/world/world.js'

const steps = `canary:
  steps:
    - setWeight: 20
    - pause: {}
    - setWeight: 50
    - pause: { duration: 30s }
    - setWeight: 100`

/** Sends n requests through the main listener and checks the canary's share against the weight in the routing table. */
async function splitHolds(w: World, n: number): Promise<void> {
  const { routing } = await w.rollout()
  const counts = await w.count(n)
  const p = routing.weight / 100
  const onCanary = routing.canary === null ? 0 : counts[routing.canary] ?? 0
  const { low, high } = binomialBounds(n, p)
  assert.ok(onCanary >= low && onCanary <= high, `${routing.canary ?? 'canary'} got ${onCanary} of ${n}, expected ${low}..${high} at weight ${routing.weight}%`)
  assert.equal((counts[routing.stable] ?? 0) + onCanary, n, `only ${routing.stable} and ${routing.canary ?? 'no canary'} served`)
}

const weightIs = async (w: World, percent: number): Promise<void> => assert.equal((await w.rollout()).routing.weight, percent, 'weight in the routing table')

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('a full canary run through the admin API, with the split measured at every step', { skip: workers > 1 && 'the 30 s pause is passed with a clock injected into the one process' }, async (t) => {
      const clock = manualClock()
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: steps }), seed: 42, clock })
      const routed = await w.routed()
      assert.equal(`${routed.phase}/${routed.reason}`, 'Paused/CanaryPauseStep')
      await weightIs(w, 20)
      await splitHolds(w, 4000)
      assert.deepEqual(await w.count(100, { listener: 'preview' }), { v2: 100 })

      const promoted = await w.admin.promote()
      assert.equal(promoted.status, 200)
      assert.equal(promoted.body.message, `Paused: timed pause until ${String(promoted.body.pauseUntil).slice(11, 19)}, step 4/5`)
      await weightIs(w, 50)
      await splitHolds(w, 4000)
      clock.advance(29_000)
      const paused = await w.rollout()
      assert.equal(`${paused.phase}/${paused.reason}`, 'Paused/TimedPause')
      clock.advance(1_000)

      await w.eventually('Healthy', 'Promoted')
      assert.deepEqual(await w.count(200), { v2: 200 })
      assert.deepEqual(await w.count(100, { listener: 'preview' }), { v2: 100 })
      const state = (await w.admin.promote()).body
      assert.equal(state.stable.name, 'v2', 'the canary became stable')
      assert.deepEqual(state.previousStable, { name: 'v1', backends: [v1.url] }, 'the old stable is kept for undo')
      assert.equal(state.canary, null, 'the old stable left the table')
    })

    test('abort sends 100% to stable at once and retry starts again from step 0', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: steps }), workers, ...seedFor(workers, 42) })
      await w.routed()
      const aborted = await w.admin.abort('error budget')
      assert.equal(aborted.status, 200)
      assert.equal(aborted.body.message, 'Aborted: by admin: error budget')
      await weightIs(w, 0)
      assert.deepEqual(await w.count(200), { v1: 200 })
      assert.deepEqual(await w.count(100, { listener: 'preview' }), { v1: 100 })

      const again = await w.admin.abort()
      assert.equal(again.status, 200, 'a repeated abort is a no-op')

      const retried = await w.admin.verb('retry')
      assert.equal(retried.status, 200)
      assert.equal(retried.body.attempt, 2)
      await w.eventually('Paused', 'CanaryPauseStep')
      await weightIs(w, 20)
    })

    test('a manual weight pauses the rollout there until promote', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: steps }), workers, ...seedFor(workers, 42) })
      await w.routed()
      const set = await w.admin.setWeight(35.5)
      assert.equal(set.status, 200)
      assert.equal(set.body.reason, 'ManualWeight')
      await weightIs(w, 35.5)
      await splitHolds(w, 2000)
      const next = await w.admin.promote()
      assert.equal(next.status, 200)
      await weightIs(w, 50)
    })

    test('a verb that does not apply answers 409 with the phase and the verbs that do', async (t) => {
      const [v1, v2] = await backends(t, 'v1', 'v2')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: steps }), workers })
      await w.routed()
      const res = await w.admin.verb('resume')
      assert.equal(res.status, 409)
      assert.equal(res.body.error, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED')
      assert.equal(res.body.phase, 'Paused')
      assert.deepEqual(res.body.allowed, ['promote', 'promoteFull', 'pause', 'setWeight', 'abort'])
      assert.match(String(res.body.message), /resume does not apply in phase Paused \(CanaryPauseStep\)/)
    })

    test('a new rollout while one is in progress is refused with 409, unless it supersedes', async (t) => {
      const [v1, v2, v3] = await backends(t, 'v1', 'v2', 'v3')
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true, strategy: steps }), workers, ...seedFor(workers, 42) })
      await w.routed()
      const refused = await w.admin.deploy({ name: 'v3', backends: [v3.url] })
      assert.equal(refused.status, 409)
      assert.equal(refused.body.error, 'RAMP_ERR_ROLLOUT_IN_PROGRESS')
      const superseded = await w.admin.deploy({ name: 'v3', backends: [v3.url] }, { supersede: true })
      assert.equal(superseded.status, 201)
      await w.eventually('Paused', 'CanaryPauseStep')
      assert.equal((await w.rollout()).routing.canary, 'v3')
      await splitHolds(w, 2000)
    })

    test('a deployed version is not routed until every backend is ready, and the progress deadline aborts one that never is', async (t) => {
      const [v1] = await backends(t, 'v1')
      const w = await world(t, { config: release({ v1: v1.url, preview: true, strategy: steps, more: 'progressDeadlineSeconds: 1' }), workers })
      const res = await w.admin.promote()
      assert.equal(res.status, 409, 'nothing to promote before a rollout')
      const started = await w.admin.deploy({ name: 'v9', backends: ['http://127.0.0.1:1'] })
      assert.equal(started.status, 201)
      assert.equal(started.body.reason, 'WaitingForReadiness')
      assert.deepEqual(await w.count(50), { v1: 50 })
      assert.deepEqual(await w.count(50, { listener: 'preview' }), { v1: 50 })
      await w.eventually('Aborted', 'ProgressDeadlineExceeded', 4000)
      assert.match(String((await w.admin.abort()).body.message), /v9 not ready within the progress deadline of 1s/)
    })
  })
}
