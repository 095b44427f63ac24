import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { reduce } from '../../src/rollout/reduce.js'
import type { EngineEvent, RolloutState } from '../../src/rollout/types.js'
import { allowedVerbs } from '../../src/rollout/verbs.js'
import { accepted, ev, only, phaseOf, play, s, states, T0, type Fixture } from './fixtures.js'

const down = (version: string): EngineEvent => ({ type: 'versionHealth', version, available: false })
const up = (version: string): EngineEvent => ({ type: 'versionHealth', version, available: true })

/** The one history entry of a versionHealth event, as from -> to: detail. */
function entryOf(st: RolloutState, e: EngineEvent, at: number): { state: RolloutState; entry: string; effects: string[] } {
  const r = accepted(st, e, T0 + at)
  const records = only(r.effects, 'record')
  assert.equal(records.length, 1)
  const x = records[0]?.entry
  return { state: r.state, entry: `${x?.event} ${x?.from} -> ${x?.to}: ${x?.detail}`, effects: r.effects.map((f) => f.type) }
}

describe('versionHealth: the stable goes down and comes back', () => {
  const rows: Array<{ from: Fixture; shown: string; back: string }> = [
    { from: 'healthy', shown: 'Degraded: v1 (stable) has no available backend, panic: traffic goes by weight to every backend as if healthy (rollout: Healthy: v1 serves 100%)', back: 'Healthy/NoRollout' },
    { from: 'canaryPauseStep', shown: 'Degraded: v1 (stable) has no available backend, main traffic goes to v2 while that lasts (rollout: Paused: CanaryPauseStep, step 2/5, waiting for promote)', back: 'Paused/CanaryPauseStep' },
    { from: 'waiting', shown: 'Degraded: v1 (stable) has no available backend, panic: traffic goes by weight to every backend as if healthy (rollout: Progressing: waiting for v2 to be ready, deadline 12:10:00)', back: 'Progressing/WaitingForReadiness' },
    { from: 'abortedByAdmin', shown: 'Degraded: v1 (stable) has no available backend, panic: traffic goes by weight to every backend as if healthy (rollout: Aborted: by admin)', back: 'Aborted/AbortedByAdmin' },
    { from: 'degraded', shown: 'Degraded: v1 (stable) has no available backend, panic: traffic goes by weight to every backend as if healthy (rollout: Degraded: v2 not ready within the progress deadline of 600s)', back: 'Degraded/ProgressDeadlineDegraded' },
  ]
  for (const row of rows) {
    test(`from ${row.from}: Degraded/StableUnavailable, then ${row.back} again`, () => {
      const before = states[row.from]()
      const d = entryOf(before, down('v1'), s(100))
      assert.equal(phaseOf(d.state), 'Degraded/StableUnavailable')
      assert.equal(d.state.message, row.shown)
      assert.match(d.entry, new RegExp(`^versionHealth ${before.phase} -> Degraded: v1 \\(stable\\) has no available backend`))
      assert.deepEqual(d.effects, ['record'], 'no table to publish: the data plane already acted')
      const b = entryOf(d.state, up('v1'), s(200))
      assert.equal(phaseOf(b.state), row.back)
      assert.equal(b.state.message, before.message)
      assert.equal(b.entry, `versionHealth Degraded -> ${before.phase}: v1 (stable) has an available backend again`)
    })
  }

  test('news the state already has, or of a version outside the table, changes nothing', () => {
    const st = states.canaryPauseStep()
    for (const e of [up('v1'), up('v2'), down('v9'), up('v9')]) {
      const r = reduce(st, e, T0 + s(100))
      assert.ok(r.ok && !r.changed && r.state === st, JSON.stringify(e))
    }
    const d = accepted(st, down('v1'), T0 + s(100)).state
    const again = reduce(d, down('v1'), T0 + s(101))
    assert.ok(again.ok && !again.changed)
    // An aborted canary is out of the table: its health is nobody's business.
    const aborted = states.abortedByAdmin()
    const r = reduce(aborted, down('v2'), T0 + s(100))
    assert.ok(r.ok && !r.changed)
  })

  test('while degraded, the rollout beneath goes on: verbs act and the phase returns to where it got', () => {
    let st = accepted(states.canaryPauseStep(), down('v1'), T0 + s(15)).state
    assert.equal(phaseOf(st), 'Degraded/StableUnavailable')
    assert.deepEqual(allowedVerbs(st), ['promote', 'promoteFull', 'pause', 'setWeight', 'abort'])
    const promoted = accepted(st, ev.promote(), T0 + s(20))
    st = promoted.state
    assert.equal(phaseOf(st), 'Degraded/StableUnavailable')
    assert.equal(st.degradedFrom?.reason, 'TimedPause', 'the rollout moved on to step 4/5, beneath')
    assert.equal(st.weightBp, 5000)
    assert.equal(only(promoted.effects, 'publish').length, 1)
    assert.deepEqual(only(promoted.effects, 'timer'), [{ type: 'timer', at: T0 + s(80) }])
    assert.equal(only(promoted.effects, 'record')[0]?.entry.from, 'Paused', 'a transition beneath is recorded as the rollout made it')
    st = accepted(st, ev.abort(), T0 + s(30)).state
    assert.equal(phaseOf(st), 'Degraded/StableUnavailable')
    assert.equal(st.degradedFrom?.phase, 'Aborted')
    st = accepted(st, up('v1'), T0 + s(40)).state
    assert.equal(phaseOf(st), 'Aborted/AbortedByAdmin')
  })

  test('a timed pause that ends while degraded runs the steps after it; a promotion to a canary that is up ends the Degraded', () => {
    const st = play(states.timedPause(), [down('v1'), s(25)])
    const tick = accepted(st, ev.tick(), T0 + s(80))
    assert.equal(phaseOf(tick.state), 'Healthy/Promoted', 'step 5/5 was the last: v2 is stable now, and it has backends')
    assert.deepEqual(tick.state.unavailable, [])
    assert.equal(tick.state.degradedFrom ?? null, null)
  })

  test('a refused verb while degraded names the phase shown', () => {
    const st = accepted(states.healthy(), down('v1'), T0 + s(10)).state
    const r = reduce(st, ev.abort(), T0 + s(11))
    assert.ok(!r.ok)
    assert.equal(r.error.phase, 'Degraded')
    assert.deepEqual(r.error.allowed, ['start'])
  })

  test('promoting a canary that is down too keeps the Degraded: the new stable has no backend either', () => {
    const st = play(states.canaryPauseStep(), [down('v1'), s(20)], [down('v2'), s(21)])
    const r = accepted(st, ev.promoteFull(), T0 + s(30))
    assert.equal(phaseOf(r.state), 'Degraded/StableUnavailable')
    assert.deepEqual(r.state.unavailable, ['v2'], 'v1 left the table, and with it the list')
    assert.equal(phaseOf(accepted(r.state, up('v2'), T0 + s(40)).state), 'Healthy/Promoted')
  })
})

describe('versionHealth: the canary goes down', () => {
  test('is recorded in history, keeps the phase, and does not abort', () => {
    const st = states.canaryPauseStep()
    const d = entryOf(st, down('v2'), s(100))
    assert.equal(d.state.phase, 'Paused')
    assert.equal(d.state.reason, 'CanaryPauseStep')
    assert.equal(d.state.message, st.message)
    assert.deepEqual(d.state.unavailable, ['v2'])
    assert.equal(d.entry, 'versionHealth Paused -> Paused: v2 (canary) has no available backend: its share goes to v1 and counts as failed requests in its analysis')
    assert.deepEqual(d.effects, ['record'])
    const b = entryOf(d.state, up('v2'), s(110))
    assert.equal(b.entry, 'versionHealth Paused -> Paused: v2 (canary) has an available backend again')
    assert.deepEqual(b.state.unavailable, [])
  })

  test('both down is panic; the stable back leaves the canary still down', () => {
    let st = accepted(states.canaryPauseStep(), down('v2'), T0 + s(100)).state
    const both = entryOf(st, down('v1'), s(110))
    assert.equal(both.entry, 'versionHealth Paused -> Degraded: v1 (stable) has no available backend, nor has v2: panic, traffic goes by weight to every backend as if healthy')
    assert.match(both.state.message, /panic/)
    const back = entryOf(both.state, up('v1'), s(120))
    assert.equal(back.entry, 'versionHealth Degraded -> Paused: v1 (stable) has an available backend again; v2 still has none')
    st = back.state
    assert.deepEqual(st.unavailable, ['v2'])
  })

  test('an abort takes the canary out of the table and out of the list', () => {
    const st = play(states.canaryPauseStep(), [down('v2'), s(100)], [ev.abort(), s(110)])
    assert.equal(phaseOf(st), 'Aborted/AbortedByAdmin')
    assert.deepEqual(st.unavailable, [])
  })
})
