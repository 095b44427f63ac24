import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { EngineEvent, RolloutState } from '../../src/rollout/types.js'
import { accepted, only, refused, s, states, V1, V2 } from './fixtures.js'

const set = (version: string, backends: string[]): EngineEvent => ({ type: 'setBackends', version, backends, actor: 'reload' })
const NEW = ['http://127.0.0.1:9101', 'http://127.0.0.1:9102']

describe('setBackends: a running version takes a new backend list, nothing else moves', () => {
  const rows: Array<[string, () => RolloutState, string, 'stable' | 'canary', string[]]> = [
    ['the stable of a healthy rollout', states.healthy, 'v1', 'stable', ['record', 'publish']],
    ['the stable during a pause step', states.canaryPauseStep, 'v1', 'stable', ['record', 'publish']],
    ['the routed canary at a pause step', states.canaryPauseStep, 'v2', 'canary', ['record', 'publish']],
    ['the canary held by hand: the hold stays', states.manualPause, 'v2', 'canary', ['record', 'publish']],
    ['a canary waiting for readiness: probed again with the new list, no table yet', states.waiting, 'v2', 'canary', ['record', 'stopReadiness', 'probeReadiness']],
    ['an aborted canary kept for retry: not in the table', states.abortedByAdmin, 'v2', 'canary', ['record']],
    ['the new stable after a promotion', states.promoted, 'v2', 'stable', ['record', 'publish']],
  ]
  for (const [name, make, version, role, kinds] of rows) {
    test(name, () => {
      const before = make()
      const r = accepted(before, set(version, NEW), before.updatedAt + s(1))
      assert.deepEqual(r.state[role], { name: version, backends: NEW })
      assert.deepEqual(r.effects.map((e) => e.type), kinds)
      const { phase, reason, message, weightBp, stepIndex, canaryReady } = r.state
      assert.deepEqual({ phase, reason, message, weightBp, stepIndex, canaryReady },
        { phase: before.phase, reason: before.reason, message: before.message, weightBp: before.weightBp, stepIndex: before.stepIndex, canaryReady: before.canaryReady })
      assert.equal(r.state.revision, before.revision + 1)
    })
  }

  test('the history says which version and both lists', () => {
    const before = states.canaryPauseStep()
    const [entry] = only(accepted(before, set('v2', NEW), before.updatedAt + s(1)).effects, 'record')
    assert.equal(entry?.entry.event, 'setBackends')
    assert.equal(entry?.entry.actor, 'reload')
    assert.equal(entry?.entry.detail, `canary v2 backends: ${V2.backends.join(', ')} -> ${NEW.join(', ')}`)
  })

  test('the probe of a waiting canary restarts on exactly the new list', () => {
    const before = states.waiting()
    const [probe] = only(accepted(before, set('v2', NEW), before.updatedAt + s(1)).effects, 'probeReadiness')
    assert.deepEqual(probe?.version, { name: 'v2', backends: NEW })
  })

  test('the same list is a no-op that writes nothing', () => {
    const before = states.canaryPauseStep()
    const r = accepted(before, set('v1', [...V1.backends]), before.updatedAt + s(1))
    assert.equal(r.changed, false)
    assert.equal(r.state, before)
  })

  test('a version the state does not hold is refused', () => {
    const e = refused(states.canaryPauseStep(), set('v9', NEW), 0)
    assert.equal(e.code, 'RAMP_ERR_ROLLOUT_UNKNOWN_VERSION')
    assert.match(e.message, /"v9" is not a version of this rollout \(v1, v2\)/)
  })

  test('an empty list is refused', () => {
    assert.equal(refused(states.healthy(), set('v1', []), 0).code, 'RAMP_ERR_ADMIN_BAD_REQUEST')
  })
})
