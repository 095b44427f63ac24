import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { tableOf } from '../../src/rollout/table-of.js'
import type { RolloutState } from '../../src/rollout/types.js'
import { nextWakeAt } from '../../src/rollout/wake.js'
import { analysisStates, ev, play, s, states, T0, type AnalysisFixture, type Fixture } from './fixtures.js'

describe('tableOf: the canary is in the table only while in progress and ready', () => {
  const rows: Array<[Fixture, 'canary' | 'blueGreen', string, string | null, number]> = [
    ['healthy', 'canary', 'v1', null, 0],
    ['promoted', 'canary', 'v2', null, 0],
    ['waiting', 'canary', 'v1', null, 0],
    ['degraded', 'canary', 'v1', null, 0],
    ['heldWaiting', 'canary', 'v1', null, 0],
    ['heldReady', 'canary', 'v1', 'v2', 0],
    ['canaryPauseStep', 'canary', 'v1', 'v2', 2000],
    ['timedPause', 'canary', 'v1', 'v2', 5000],
    ['manualWeight', 'canary', 'v1', 'v2', 3500],
    ['staticSplit', 'canary', 'v1', 'v2', 2000],
    ['blueGreenPause', 'blueGreen', 'v1', 'v2', 0],
    ['scaleDownDelay', 'blueGreen', 'v2', null, 0],
    ['abortedByAdmin', 'canary', 'v1', null, 0],
    ['abortedDeadline', 'canary', 'v1', null, 0],
  ]
  const analysisRows: Array<[AnalysisFixture, 'canary' | 'blueGreen', string, string | null, number]> = [
    ['preRolloutChecks', 'canary', 'v1', 'v2', 0],
    ['waitingForConfirmation', 'canary', 'v1', 'v2', 0],
    ['runningAnalysis', 'canary', 'v1', 'v2', 4000],
    ['inconclusiveAnalysis', 'canary', 'v1', 'v2', 4000],
    ['abortedAnalysis', 'canary', 'v1', null, 0],
    ['waitingForPromotionConfirmation', 'canary', 'v1', 'v2', 2000],
    ['prePromotionAnalysis', 'blueGreen', 'v1', 'v2', 0],
    ['prePromotionInconclusive', 'blueGreen', 'v1', 'v2', 0],
    ['postPromotionAnalysis', 'blueGreen', 'v1', 'v2', 10000],
  ]
  const all = { ...states, ...analysisStates }
  for (const [fixture, mode, stable, canary, weightBp] of [...rows, ...analysisRows]) {
    test(`${fixture}: ${mode}, ${stable}${canary === null ? '' : ` + ${canary} at ${weightBp} bp`}`, () => {
      const t = tableOf(all[fixture]())
      assert.deepEqual([t.mode, t.stable.name, t.canary?.name ?? null, t.weightBp], [mode, stable, canary, weightBp])
    })
  }
})

describe('nextWakeAt: the earliest deadline set', () => {
  const rows: Array<[string, () => RolloutState, number | null]> = [
    ['no rollout', states.healthy, null],
    ['waiting: the progress deadline', states.waiting, T0 + s(600)],
    ['pause step: none', states.canaryPauseStep, null],
    ['timed pause: its end', states.timedPause, T0 + s(80)],
    ['timed pause under a hold: still reported', () => play(states.timedPause(), [ev.pause(), s(30)]), T0 + s(80)],
    ['scale-down window: its end', states.scaleDownDelay, T0 + s(50)],
    ['aborted: none', states.abortedByAdmin, null],
  ]
  for (const [name, make, want] of rows) test(name, () => assert.equal(nextWakeAt(make()), want))

  test('the minimum of several', () => {
    const st = { ...states.timedPause(), progressDeadlineAt: T0 + s(70), scaleDownAt: T0 + s(90) }
    assert.equal(nextWakeAt(st), T0 + s(70))
  })
})
