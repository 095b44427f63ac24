import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeDoc, encodeDoc } from '../../src/state/format.js'
import type { RolloutState } from '../../src/rollout/types.js'
import { ALL_GATES, AN_STEPS, analysisStates, boot, ev, play, QA, routeStates, s, states } from './fixtures.js'

/** Through the store's own encoding and check (src/state/format.ts). */
function roundTrip(state: unknown): RolloutState {
  const decoded = decodeDoc(encodeDoc({ state: state as RolloutState, history: [] }))
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.problem)
  return decoded.doc.state
}

describe('the stored-state schema accepts every state the engine makes', () => {
  const all: Record<string, () => RolloutState> = {
    ...states,
    ...analysisStates,
    ...routeStates,
    withGates: () => play(boot({ gates: ALL_GATES }), [ev.ready(), s(10)]),
    withBackground: () => play(boot({ strategy: { ...AN_STEPS, analysis: { templates: ['bg'], startingStep: 0 } } as RolloutState['strategy'] }), [ev.ready(), s(10)]),
  }
  for (const [name, make] of Object.entries(all)) {
    test(name, () => {
      const st = make()
      assert.deepEqual(roundTrip(st), st)
    })
  }

  test('a state stored before analysis existed still loads and runs', () => {
    const old: Partial<RolloutState> = { ...play(boot(), [ev.ready(), s(10)]) }
    delete old.analysisRuns
    delete old.lastAnalysis
    delete old.pendingAnalysis
    assert.equal(play(roundTrip(old), [ev.promote(), s(20)]).reason, 'TimedPause')
  })

  test('a state stored before header routes and mirrors existed still loads and runs their steps', () => {
    const old: Partial<RolloutState> = { ...states.canaryPauseStep() }
    delete old.routes
    delete old.mirror
    const loaded = roundTrip(old)
    assert.equal(loaded.routes, undefined)
    const strategy: RolloutState['strategy'] = { type: 'canary', steps: [{ pause: {} }, { setHeaderRoute: { name: 'qa', match: QA } }, { pause: {} }] }
    const next = play({ ...loaded, strategy, stepIndex: 0 }, [ev.promote(), s(20)])
    assert.deepEqual(next.routes?.map((r) => r.name), ['qa'])
  })

  const badRoutes: Array<[string, Record<string, unknown>]> = [
    ['a route with an unknown target role', { routes: [{ name: 'qa', match: [], target: { role: 'preview' } }] }],
    ['a condition with an unknown field', { routes: [{ name: 'qa', match: [{ header: 'x' }], target: { role: 'canary' } }] }],
    ['a string match of two kinds', { routes: [{ name: 'qa', match: [{ headerName: 'x', headerValue: { exact: 'a', prefix: 'b' } }], target: { role: 'canary' } }] }],
    ['a mirror over 100%', { mirror: { name: 'm', percentage: 101, match: [] } }],
    ['a setMirrorRoute step without a name', { strategy: { type: 'canary', steps: [{ setMirrorRoute: { percentage: 5 } }] } }],
  ]
  for (const [name, patch] of badRoutes) {
    test(`refused: ${name}`, () => {
      const bad = { ...states.canaryPauseStep(), ...patch }
      assert.equal(decodeDoc(encodeDoc({ state: bad, history: [] })).ok, false)
    })
  }

  test('an unknown step kind is refused', () => {
    const bad = { ...states.canaryPauseStep(), strategy: { type: 'canary', steps: [{ analyse: { templates: [] } }] } }
    assert.equal(decodeDoc(encodeDoc({ state: bad as unknown as RolloutState, history: [] })).ok, false)
  })
})
