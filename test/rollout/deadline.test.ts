import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Strategy } from '../../src/rollout/types.js'
import { accepted, boot, ev, only, play, s, states, T0 } from './fixtures.js'

const at = (offset: number): number => T0 + offset

describe('progress deadline', () => {
  test('boot sets the deadline 600s out', () => assert.equal(states.waiting().progressDeadlineAt, at(s(600))))

  test('a tick 1 ms before the deadline is a no-op', () => {
    assert.equal(accepted(states.waiting(), ev.tick(), at(s(600) - 1)).changed, false)
  })

  test('progressDeadlineAbort: the rollout aborts and probing stops', () => {
    const r = accepted(states.waiting(), ev.tick(), at(s(600)))
    assert.equal(`${r.state.phase}/${r.state.reason}`, 'Aborted/ProgressDeadlineExceeded')
    assert.deepEqual(r.state.abort, { reason: 'ProgressDeadlineExceeded', message: 'v2 not ready within the progress deadline of 600s', actor: 'ramp', at: at(s(600)) })
    assert.equal(r.state.message, 'Aborted: v2 not ready within the progress deadline of 600s')
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopReadiness', 'timer'])
    assert.equal(only(r.effects, 'record')[0]?.entry.event, 'tick:progressDeadline')
  })

  test('without progressDeadlineAbort: Degraded, probing goes on', () => {
    const r = accepted(boot({ deadlineAbort: false }), ev.tick(), at(s(600)))
    assert.equal(`${r.state.phase}/${r.state.reason}`, 'Degraded/ProgressDeadlineDegraded')
    assert.equal(r.state.progressDeadlineAt, null)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'timer'])
  })

  test('ready after Degraded continues the rollout normally', () => {
    const r = accepted(states.degraded(), ev.ready(), at(s(900)))
    assert.equal(`${r.state.phase}/${r.state.reason}`, 'Paused/CanaryPauseStep')
    assert.equal(r.state.weightBp, 2000)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopReadiness', 'publish'])
  })

  test('a tick in Degraded is a no-op', () => assert.equal(accepted(states.degraded(), ev.tick(), at(s(5000))).changed, false))
})

describe('ready that changes nothing', () => {
  const rows: Array<[string, () => ReturnType<typeof boot>, string]> = [
    ['for another version', states.waiting, 'v9'],
    ['after the abort', states.abortedDeadline, 'v2'],
    ['a second time', states.canaryPauseStep, 'v2'],
    ['with no rollout', states.healthy, 'v2'],
  ]
  for (const [name, make, version] of rows) {
    test(name, () => {
      const st = make()
      const r = accepted(st, ev.ready(version), at(s(30)))
      assert.equal(r.changed, false)
      assert.equal(r.state, st)
    })
  }
})

describe('restart: one tick with every deadline long past', () => {
  test('the timed pause ended a day ago: its step ends and the following steps run', () => {
    const r = accepted(states.timedPause(), ev.tick(), at(s(86_400)))
    assert.equal(r.state.reason, 'Promoted')
    assert.deepEqual(only(r.effects, 'record').map((e) => e.entry.event), ['tick:pauseElapsed'])
    assert.equal(r.state.revision, states.timedPause().revision + 1)
  })

  test('a later timed pause counts from the tick that reached it', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 10 }, { pause: { durationMs: s(60) } }, { setWeight: 30 }, { pause: { durationMs: s(60) } }, { setWeight: 60 }] }
    const st = play(boot({ strategy }), [ev.ready(), s(10)])
    const r = accepted(st, ev.tick(), at(s(86_400)))
    assert.equal(r.state.reason, 'TimedPause')
    assert.equal(r.state.stepIndex, 3)
    assert.equal(r.state.pauseUntil, at(s(86_460)))
  })

  test('the readiness deadline passed while down: aborted at the first tick', () => {
    assert.equal(accepted(states.waiting(), ev.tick(), at(s(86_400))).state.reason, 'ProgressDeadlineExceeded')
  })

  test('blue/green: an auto-promotion and a zero scale-down both due fire in one tick', () => {
    const strategy: Strategy = { type: 'blueGreen', autoPromotionEnabled: true, autoPromotionSeconds: 60, scaleDownDelaySeconds: 0 }
    const r = accepted(play(boot({ strategy }), [ev.ready(), s(10)]), ev.tick(), at(s(86_400)))
    assert.equal(r.state.reason, 'Promoted')
    assert.equal(r.state.stable.name, 'v2')
  })

  test('blue/green: after the flip the window counts from the tick', () => {
    const r = accepted(play(boot({ strategy: { type: 'blueGreen', autoPromotionEnabled: true, autoPromotionSeconds: 60, scaleDownDelaySeconds: 30 } }), [ev.ready(), s(10)]), ev.tick(), at(s(86_400)))
    assert.equal(r.state.reason, 'Promoted')
    assert.equal(r.state.scaleDownAt, at(s(86_430)))
  })

  test('a second tick at the same time finds nothing due', () => {
    const first = accepted(states.timedPause(), ev.tick(), at(s(86_400)))
    assert.equal(accepted(first.state, ev.tick(), at(s(86_400))).changed, false)
  })
})
