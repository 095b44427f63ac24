import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { clock, percent } from '../../src/rollout/messages.js'
import type { RolloutState } from '../../src/rollout/types.js'
import { analysisStates as A, BG, BG_AUTO, boot, ev, play, s, states, T0 } from './fixtures.js'

describe('state messages', () => {
  const rows: Array<[string, () => RolloutState, string]> = [
    ['no rollout', states.healthy, 'Healthy: v1 serves 100%'],
    ['promoted', states.promoted, 'Healthy: v2 promoted at 12:00:20'],
    ['waiting', states.waiting, 'Progressing: waiting for v2 to be ready, deadline 12:10:00'],
    ['degraded', states.degraded, 'Degraded: v2 not ready within the progress deadline of 600s'],
    ['held while waiting', states.heldWaiting, 'Paused: by alice, before step 1/5'],
    ['held, then ready', states.heldReady, 'Paused: by alice, before step 1/5'],
    ['pause step', states.canaryPauseStep, 'Paused: CanaryPauseStep, step 2/5, waiting for promote'],
    ['timed pause', states.timedPause, 'Paused: timed pause until 12:01:20, step 4/5'],
    ['manual pause', states.manualPause, 'Paused: by alice, step 2/5'],
    ['manual weight', states.manualWeight, 'Paused: weight set to 35% by alice, step 2/5'],
    ['static split', states.staticSplit, 'Paused: static split, v2 at 20%'],
    ['static split, held', () => play(states.staticSplit(), [ev.pause('bob'), s(20)]), 'Paused: by bob, static split, v2 at 20%'],
    ['blue/green pause', states.blueGreenPause, 'Paused: BlueGreenPause, v2 ready on the preview listener, waiting for promote'],
    ['blue/green auto-promotion', () => play(boot({ strategy: BG_AUTO }), [ev.ready(), s(10)]),
      'Paused: BlueGreenPause, v2 ready on the preview listener, auto-promotion at 12:02:10'],
    ['blue/green held before the flip', () => play(states.blueGreenPause(), [ev.pause(), s(20)]), 'Paused: by admin, before the flip'],
    ['blue/green weight held after the flip', () => play(A.postPromotionAnalysis(), [ev.setWeight(0, 'bob'), s(30)]), 'Paused: weight set to 0% by bob, after the flip'],
    ['scale-down window', states.scaleDownDelay, 'Healthy: v2 promoted at 12:00:20; v1 kept until 12:00:50 for an instant abort'],
    ['aborted by admin', states.abortedByAdmin, 'Aborted: by admin'],
    ['aborted with a reason', () => play(states.canaryPauseStep(), [ev.abort('error rate too high', 'cli'), s(20)]), 'Aborted: by cli: error rate too high'],
    ['aborted at the deadline', states.abortedDeadline, 'Aborted: v2 not ready within the progress deadline of 600s'],
    ['blue/green waiting', () => boot({ strategy: BG }), 'Progressing: waiting for v2 to be ready, deadline 12:10:00'],
    ['manual weight with decimals', () => play(states.canaryPauseStep(), [ev.setWeight(1234), s(20)]), 'Paused: weight set to 12.34% by admin, step 2/5'],
    ['pre-rollout webhooks', A.preRolloutChecks, 'Progressing: pre-rollout webhooks running, v2 on the preview listener only'],
    ['confirm-rollout', A.waitingForConfirmation, 'Paused: waiting for confirm-rollout'],
    ['step analysis', A.runningAnalysis, 'Progressing: analysis canary-health running, step 3/5'],
    ['step analysis under a hold', A.heldAnalysis, 'Paused: by alice, step 3/5'],
    ['inconclusive', A.inconclusiveAnalysis, 'Paused: InconclusiveAnalysis, step 3/5: only 12 requests'],
    ['failed, paused', A.analysisFailedPaused, 'Paused: AnalysisFailed, step 3/5: success-rate 0.962 < 0.99 over 412 requests'],
    ['failed, aborted', A.abortedAnalysis, 'Aborted: analysis canary-health failed: success-rate 0.962 < 0.99 over 412 requests'],
    ['confirm-promotion', A.waitingForPromotionConfirmation, 'Paused: waiting for confirm-promotion, step 2/5'],
    ['pre-promotion analysis', A.prePromotionAnalysis, 'Progressing: pre-promotion analysis pre-health running, v2 on the preview listener'],
    ['pre-promotion inconclusive, no words', A.prePromotionInconclusive, 'Paused: InconclusiveAnalysis, before the flip'],
    ['post-promotion analysis', A.postPromotionAnalysis, 'Progressing: post-promotion analysis post-health running, v2 active, v1 kept for an instant abort'],
    ['held during post-promotion analysis', () => play(A.postPromotionAnalysis(), [ev.pause('bob'), s(40)]), 'Paused: by bob, after the flip'],
  ]
  for (const [name, make, message] of rows) test(name, () => assert.equal(make().message, message))
})

describe('formatting', () => {
  const clocks: Array<[number, string]> = [[T0, '12:00:00'], [T0 + s(3723), '13:02:03'], [T0 + 999, '12:00:00']]
  for (const [ms, text] of clocks) test(`clock ${ms} -> ${text}`, () => assert.equal(clock(ms), text))
  const percents: Array<[number, string]> = [[0, '0%'], [1, '0.01%'], [50, '0.5%'], [2000, '20%'], [3550, '35.5%'], [10000, '100%']]
  for (const [bp, text] of percents) test(`percent ${bp} -> ${text}`, () => assert.equal(percent(bp), text))
})
