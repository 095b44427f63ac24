import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { reduce } from '../../src/rollout/reduce.js'
import type { EngineError, EngineEvent, Verb } from '../../src/rollout/types.js'
import { allowedVerbs, verbsNotAllowed } from '../../src/rollout/verbs.js'
import { analysisStates, ev, s, states, T0, type AnalysisFixture, type Fixture } from './fixtures.js'

type Expect = `${string}/${string}` | 'noop' | 'NOT_ALLOWED' | 'IN_PROGRESS' | 'NO_CANARY' | 'WEIGHT_MODE'

const verbs: Array<[string, EngineEvent]> = [
  ['start', ev.start()],
  ['start+supersede', ev.start(undefined, { supersede: true })],
  ['promote', ev.promote()],
  ['promoteFull', ev.promoteFull()],
  ['pause', ev.pause()],
  ['resume', ev.resume()],
  ['setWeight 40%', ev.setWeight(4000)],
  ['abort', ev.abort()],
  ['retry', ev.retry()],
]

const W = 'Progressing/WaitingForReadiness'
const AB = 'Aborted/AbortedByAdmin'
const P = 'Healthy/Promoted'

/** Columns in the order of `verbs`; the last column is allowedVerbs. */
const matrix: Record<Fixture, [Expect[], Verb[]]> = {
  healthy: [[W, W, 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', 'NOT_ALLOWED'], ['start']],
  promoted: [[W, W, 'noop', 'noop', 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', 'NOT_ALLOWED'], ['start']],
  waiting: [['IN_PROGRESS', W, 'NOT_ALLOWED', 'NOT_ALLOWED', 'Paused/ManualPause', 'noop', 'NOT_ALLOWED', AB, 'NOT_ALLOWED'], ['pause', 'abort']],
  degraded: [['IN_PROGRESS', W, 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'noop', 'NOT_ALLOWED', AB, 'NOT_ALLOWED'], ['abort']],
  heldWaiting: [['IN_PROGRESS', W, 'NOT_ALLOWED', 'NOT_ALLOWED', 'noop', W, 'NOT_ALLOWED', AB, 'NOT_ALLOWED'], ['resume', 'abort']],
  heldReady: [['IN_PROGRESS', W, 'Paused/CanaryPauseStep', P, 'noop', 'Paused/CanaryPauseStep', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'resume', 'setWeight', 'abort']],
  canaryPauseStep: [['IN_PROGRESS', W, 'Paused/TimedPause', P, 'Paused/ManualPause', 'NOT_ALLOWED', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  timedPause: [['IN_PROGRESS', W, P, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  manualPause: [['IN_PROGRESS', W, 'Paused/TimedPause', P, 'noop', 'Paused/CanaryPauseStep', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'resume', 'setWeight', 'abort']],
  manualWeight: [['IN_PROGRESS', W, 'Paused/TimedPause', P, 'Paused/ManualPause', 'Paused/CanaryPauseStep', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'pause', 'resume', 'setWeight', 'abort']],
  staticSplit: [['IN_PROGRESS', W, P, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'Paused/StaticSplit', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  blueGreenPause: [['IN_PROGRESS', W, P, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'WEIGHT_MODE', AB, 'NOT_ALLOWED'],
    ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  // Healthy, the new version stable; the old one kept: abort flips back to it.
  scaleDownDelay: [[W, W, 'noop', 'noop', 'NO_CANARY', 'NO_CANARY', 'NO_CANARY', AB, 'NOT_ALLOWED'], ['start', 'abort']],
  abortedByAdmin: [[W, W, 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'noop', W], ['start', 'retry']],
  abortedDeadline: [[W, W, 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'noop', W], ['start', 'retry']],
}

const codes: Record<string, EngineError['code']> = {
  NOT_ALLOWED: 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED',
  IN_PROGRESS: 'RAMP_ERR_ROLLOUT_IN_PROGRESS',
  NO_CANARY: 'RAMP_ERR_ROLLOUT_NO_CANARY',
  WEIGHT_MODE: 'RAMP_ERR_WEIGHT_MODE',
}

const WPC = 'Paused/WaitingForPromotionConfirmation'
const CPS = 'Paused/CanaryPauseStep'

/** The analysis and gate states: same columns. */
const analysisMatrix: Record<AnalysisFixture, [Expect[], Verb[]]> = {
  // promote cannot skip the pre-rollout webhooks; promote --full can, and meets the confirm-promotion gate.
  preRolloutChecks: [['IN_PROGRESS', W, 'NOT_ALLOWED', WPC, 'Paused/ManualPause', 'noop', 'NOT_ALLOWED', AB, 'NOT_ALLOWED'], ['promoteFull', 'pause', 'abort']],
  // promote is the person's confirmation; setWeight waits for the gate.
  waitingForConfirmation: [['IN_PROGRESS', W, CPS, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'NOT_ALLOWED', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'abort']],
  runningAnalysis: [['IN_PROGRESS', W, CPS, P, 'Paused/ManualPause', 'noop', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  heldAnalysis: [['IN_PROGRESS', W, CPS, P, 'noop', 'Progressing/RunningAnalysis', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'resume', 'setWeight', 'abort']],
  inconclusiveAnalysis: [['IN_PROGRESS', W, CPS, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  analysisFailedPaused: [['IN_PROGRESS', W, CPS, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  abortedAnalysis: [[W, W, 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'NOT_ALLOWED', 'noop', W], ['start', 'retry']],
  // both promotes override the gate.
  waitingForPromotionConfirmation: [['IN_PROGRESS', W, P, P, 'Paused/ManualPause', 'NOT_ALLOWED', 'Paused/ManualWeight', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  prePromotionAnalysis: [['IN_PROGRESS', W, 'NOT_ALLOWED', P, 'Paused/ManualPause', 'noop', 'NOT_ALLOWED', AB, 'NOT_ALLOWED'], ['promoteFull', 'pause', 'abort']],
  prePromotionInconclusive: [['IN_PROGRESS', W, 'Paused/BlueGreenPause', P, 'Paused/ManualPause', 'NOT_ALLOWED', 'WEIGHT_MODE', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
  postPromotionAnalysis: [['IN_PROGRESS', W, P, P, 'Paused/ManualPause', 'noop', 'WEIGHT_MODE', AB, 'NOT_ALLOWED'], ['promote', 'promoteFull', 'pause', 'setWeight', 'abort']],
}

describe('every phase × verb', () => {
  const all = { ...states, ...analysisStates }
  for (const [fixture, [row, allowed]] of Object.entries({ ...matrix, ...analysisMatrix }) as Array<[Fixture | AnalysisFixture, [Expect[], Verb[]]]>) {
    test(`${fixture}: allowedVerbs is ${allowed.join(', ')}`, () => {
      assert.deepEqual(allowedVerbs(all[fixture]()), allowed)
    })
    verbs.forEach(([name, event], i) => {
      const want = row[i] as Expect
      test(`${fixture} × ${name} -> ${want}`, () => {
        const before = all[fixture]()
        const now = before.updatedAt + s(1)
        const r = reduce(before, event, now)
        if (want === 'noop') {
          assert.ok(r.ok)
          assert.equal(r.changed, false)
          assert.equal(r.state, before, 'a no-op returns the very same state')
          assert.deepEqual(r.effects, [])
        } else if (want.includes('/')) {
          assert.ok(r.ok, r.ok ? '' : r.error.message)
          assert.equal(r.changed, true)
          assert.equal(`${r.state.phase}/${r.state.reason}`, want)
          assert.equal(r.state.revision, before.revision + 1)
          assert.equal(r.state.updatedAt, now)
        } else {
          assert.ok(!r.ok, `accepted, now ${r.ok ? `${r.state.phase}/${r.state.reason}` : ''}`)
          assert.equal(r.error.code, codes[want])
          assert.equal(r.error.phase, before.phase)
          assert.deepEqual(r.error.allowed, allowed)
        }
      })
    })
  }
})

describe('refusal messages', () => {
  const cases: Array<[string, Fixture, EngineEvent, string]> = [
    ['verb not allowed names phase, reason and the allowed verbs', 'abortedByAdmin', ev.promote(),
      'promote does not apply in phase Aborted (AbortedByAdmin); allowed: start, retry'],
    ['promote --full is named promoteFull', 'waiting', ev.promoteFull(),
      'promoteFull does not apply in phase Progressing (WaitingForReadiness); allowed: pause, abort'],
    ['nothing to abort', 'healthy', ev.abort(), 'abort needs a canary, and there is none (Healthy: v1 serves 100%)'],
    ['start while in progress', 'canaryPauseStep', ev.start(),
      'start v3: the rollout of v2 is in progress (Paused, CanaryPauseStep); abort it first or send supersede: true'],
    ['blue/green weight', 'blueGreenPause', ev.setWeight(4000),
      'setWeight 40%: in blueGreen mode the weight is 0% (stable active) or 100% (canary active)'],
    ['start with the stable name', 'healthy', ev.start({ name: 'v1', backends: ['http://x'] }),
      'start: version "v1" has the stable version\'s name; give the new version a distinct name'],
    ['start with no backends', 'healthy', ev.start({ name: 'v3', backends: [] }), 'start: version "v3" has no backends; give at least one'],
    ['setWeight outside 0..10000', 'canaryPauseStep', ev.setWeight(10001),
      'setWeight: 10001 is not a whole number of basis points from 0 to 10000'],
  ]
  for (const [name, fixture, event, message] of cases) {
    test(name, () => {
      const before = states[fixture]()
      const r = reduce(before, event, T0 + s(3600))
      assert.ok(!r.ok)
      assert.equal(r.error.message, message)
    })
  }

  test('a bad start is refused as a bad request even while a rollout runs', () => {
    const r = reduce(states.canaryPauseStep(), ev.start({ name: 'v3', backends: [] }, { supersede: true }), T0 + s(30))
    assert.ok(!r.ok)
    assert.equal(r.error.code, 'RAMP_ERR_ADMIN_BAD_REQUEST')
  })
})

describe('blue/green weights', () => {
  const cases: Array<[string, Fixture, number, string]> = [
    ['100% before the flip is a manual hold on the canary', 'blueGreenPause', 10000, 'Paused/ManualWeight'],
  ]
  for (const [name, fixture, bp, want] of cases) {
    test(name, () => {
      const r = reduce(states[fixture](), ev.setWeight(bp), T0 + s(30))
      assert.ok(r.ok)
      assert.equal(`${r.state.phase}/${r.state.reason}`, want)
      assert.equal(r.state.weightBp, bp)
    })
  }
})

describe('verbsNotAllowed: why each other verb does not apply', () => {
  const all = { ...states, ...analysisStates }
  const every: Verb[] = ['start', 'promote', 'promoteFull', 'pause', 'resume', 'setWeight', 'abort', 'retry']
  for (const fixture of Object.keys(all) as Array<Fixture | AnalysisFixture>) {
    test(`${fixture}: exactly the verbs allowedVerbs leaves out, each with a reason`, () => {
      const state = all[fixture]()
      const allowed = allowedVerbs(state)
      const refused = verbsNotAllowed(state)
      assert.deepEqual(every.filter((v) => !allowed.includes(v)), Object.keys(refused))
      for (const [v, why] of Object.entries(refused)) assert.ok(typeof why === 'string' && why.length > 10, `${v}: ${String(why)}`)
    })
  }
  const cases: Array<[Fixture | AnalysisFixture, Verb, string]> = [
    ['healthy', 'promote', 'no rollout is in progress: deploy a new version first'],
    ['abortedByAdmin', 'pause', 'the rollout of v2 was aborted: retry it or deploy a new version'],
    ['canaryPauseStep', 'start', 'the rollout of v2 is in progress: abort it first, or deploy with supersede'],
    ['canaryPauseStep', 'resume', 'resume clears only a manual pause or weight; promote goes on to the next step'],
    ['waiting', 'setWeight', 'v2 is not ready yet: not every backend answers its readiness probe'],
    ['manualPause', 'pause', 'the rollout is already paused by hand'],
    ['preRolloutChecks', 'promote', 'the checks before traffic decide this step: wait for their verdict, or promote full'],
  ]
  for (const [fixture, verb, why] of cases) {
    test(`${fixture} × ${verb}: "${why}"`, () => {
      assert.equal(verbsNotAllowed(all[fixture]())[verb], why)
    })
  }
})
