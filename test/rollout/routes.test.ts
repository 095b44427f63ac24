import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { describeMatch } from '../../src/rollout/messages.js'
import { sameTable, tableOf } from '../../src/rollout/table-of.js'
import type { CanaryStep, EngineEvent, RolloutState, Strategy } from '../../src/rollout/types.js'
import { allowedVerbs } from '../../src/rollout/verbs.js'
import type { MatchCondition, MirrorSpec, RouteSpec } from '../../src/routing/types.js'
import {
  accepted, analysisStates as A, boot, DEV, ev, gates, judge, kinds, only, phaseOf, play, QA, ROUTE_STEPS, routeStates as R, s, states, T0, V3,
} from './fixtures.js'

const canary = (name: string, match: MatchCondition[]): RouteSpec => ({ name, match, target: { role: 'canary' } })
const hr = (name: string, match?: MatchCondition[]): CanaryStep => ({ setHeaderRoute: match === undefined ? { name } : { name, match } })
const mr = (name: string, more: { percentage?: number; match?: MatchCondition[] } = {}): CanaryStep => ({ setMirrorRoute: { name, ...more } })
const BETA: MatchCondition[] = [{ headerName: 'x-beta', headerValue: { prefix: 'y' } }]
const routesOf = (st: RolloutState): RouteSpec[] => st.routes ?? []
const mirrorOf = (st: RolloutState): MirrorSpec | null => st.mirror ?? null

/** Ready at +10 s, then `promotes` promotes 10 s apart. */
function walk(steps: CanaryStep[], promotes = 0): RolloutState {
  const strategy: Strategy = { type: 'canary', steps }
  const events: Array<[EngineEvent, number]> = [[ev.ready(), s(10)]]
  for (let i = 0; i < promotes; i++) events.push([ev.promote(), s(20 + 10 * i)])
  return play(boot({ strategy }), ...events)
}

describe('setHeaderRoute and setMirrorRoute steps', () => {
  const rows: Array<[string, CanaryStep[], number, RouteSpec[], MirrorSpec | null, { stepIndex: number; weightBp: number }]> = [
    ['a header route with match is added, to the canary', [hr('testers', QA), { pause: {} }], 0, [canary('testers', QA)], null, { stepIndex: 1, weightBp: 0 }],
    ['several routes are kept in the order the steps added them', [hr('a', QA), hr('b', BETA), hr('c', DEV), { pause: {} }], 0,
      [canary('a', QA), canary('b', BETA), canary('c', DEV)], null, { stepIndex: 3, weightBp: 0 }],
    ['a route of a known name is replaced in place', [hr('a', QA), hr('b', BETA), { pause: {} }, hr('a', DEV), { pause: {} }], 1,
      [canary('a', DEV), canary('b', BETA)], null, { stepIndex: 4, weightBp: 0 }],
    ['a step with only a name removes that route', [hr('a', QA), hr('b', BETA), { pause: {} }, hr('a'), { pause: {} }], 1,
      [canary('b', BETA)], null, { stepIndex: 4, weightBp: 0 }],
    ['removing a name there is no route of changes nothing', [hr('a', QA), hr('zz'), { pause: {} }], 0, [canary('a', QA)], null, { stepIndex: 2, weightBp: 0 }],
    ['an empty match removes too (it would match every request)', [hr('a', QA), hr('a', []), { pause: {} }], 0, [], null, { stepIndex: 2, weightBp: 0 }],
    ['routes and weights of consecutive steps land together', [{ setWeight: 20 }, hr('a', QA), { setWeight: 40 }, { pause: {} }], 0,
      [canary('a', QA)], null, { stepIndex: 3, weightBp: 4000 }],
    ['a mirror with a percentage mirrors every request', [mr('shadow', { percentage: 50 }), { pause: {} }], 0, [],
      { name: 'shadow', percentage: 50, match: [] }, { stepIndex: 1, weightBp: 0 }],
    ['a mirror with a match mirrors 100% of it', [mr('shadow', { match: QA }), { pause: {} }], 0, [],
      { name: 'shadow', percentage: 100, match: QA }, { stepIndex: 1, weightBp: 0 }],
    ['a mirror with an empty match mirrors 100% of every request', [mr('all', { match: [] }), { pause: {} }], 0, [],
      { name: 'all', percentage: 100, match: [] }, { stepIndex: 1, weightBp: 0 }],
    ['a mirror of another name replaces the mirror (one at a time)', [mr('a', { percentage: 50 }), { pause: {} }, mr('b', { match: QA, percentage: 5 }), { pause: {} }], 1, [],
      { name: 'b', percentage: 5, match: QA }, { stepIndex: 3, weightBp: 0 }],
    ['a mirror of the same name is replaced', [mr('a', { percentage: 50 }), { pause: {} }, mr('a', { match: QA }), { pause: {} }], 1, [],
      { name: 'a', percentage: 100, match: QA }, { stepIndex: 3, weightBp: 0 }],
    ['a mirror step with only its name removes it', [mr('a', { percentage: 50 }), { pause: {} }, mr('a'), { pause: {} }], 1, [], null, { stepIndex: 3, weightBp: 0 }],
    ['a name-only mirror step for another name keeps the mirror', [mr('a', { percentage: 50 }), mr('b'), { pause: {} }], 0, [],
      { name: 'a', percentage: 50, match: [] }, { stepIndex: 2, weightBp: 0 }],
    ['routes and the mirror survive a timed pause and a tick', [hr('a', QA), mr('m', { percentage: 10 }), { setWeight: 10 }, { pause: { durationMs: s(5) } }, { setWeight: 30 }, { pause: {} }], 0,
      [canary('a', QA)], { name: 'm', percentage: 10, match: [] }, { stepIndex: 3, weightBp: 1000 }],
  ]
  for (const [name, steps, promotes, routes, mirror, at] of rows) {
    test(name, () => {
      const st = walk(steps, promotes)
      assert.equal(st.phase, 'Paused', 'the walk went on to the next pause')
      assert.deepEqual([routesOf(st), mirrorOf(st)], [routes, mirror])
      assert.deepEqual({ stepIndex: st.stepIndex, weightBp: st.weightBp }, at)
      const t = tableOf(st)
      assert.deepEqual([t.routes, t.mirror], [routes, mirror], 'the canary is routed, so the table has them')
    })
  }

  test('the walk does not stop at these steps: one transition, one record', () => {
    const r = accepted(boot({ strategy: ROUTE_STEPS }), ev.ready(), T0 + s(10))
    assert.equal(r.state.stepIndex, 3)
    assert.equal(only(r.effects, 'record').length, 1)
    assert.equal(only(r.effects, 'publish').length, 1)
  })

  test('routes are copies: the strategy\'s conditions are not shared with the state or the table', () => {
    const st = R.routed()
    const step = (st.strategy.type === 'canary' ? st.strategy.steps[0] : undefined) as { setHeaderRoute: { match: MatchCondition[] } }
    assert.notEqual(routesOf(st)[0]?.match, step.setHeaderRoute.match)
    assert.notEqual(tableOf(st).routes[0]?.match, routesOf(st)[0]?.match)
    assert.notEqual(tableOf(st).mirror, st.mirror)
  })

  test('a timed pause ending carries the routes on to the next steps', () => {
    const st = walk([hr('a', QA), { pause: { durationMs: s(5) } }, hr('b', BETA), { pause: {} }])
    const r = accepted(st, ev.tick(), T0 + s(15))
    assert.deepEqual(routesOf(r.state), [canary('a', QA), canary('b', BETA)])
  })

  test('a manual hold and resume keep them; setWeight by hand keeps them', () => {
    const held = play(R.routed(), [ev.setWeight(5000), s(20)], [ev.pause(), s(30)])
    assert.deepEqual(routesOf(held), routesOf(R.routed()))
    const resumed = play(held, [ev.resume(), s(40)])
    assert.deepEqual([phaseOf(resumed), resumed.weightBp, routesOf(resumed), mirrorOf(resumed)], ['Paused/CanaryPauseStep', 2000, routesOf(R.routed()), mirrorOf(R.routed())])
  })
})

describe('a dark launch: weight 0, reached by a header route and mirrored traffic', () => {
  test('the analysis step judges the canary at weight 0 with both in the table', () => {
    const st = R.darkLaunch()
    assert.deepEqual([phaseOf(st), st.weightBp, st.stepIndex, kinds(st).sort()], ['Progressing/RunningAnalysis', 0, 2, ['background', 'step']])
    const t = tableOf(st)
    assert.deepEqual([t.canary?.name, t.weightBp, t.routes.map((r) => r.name), t.mirror?.name], ['v2', 0, ['testers'], 'shadow'])
  })
  test('once it passed, setWeight adds main traffic; the routes stay', () => {
    const st = R.darkLaunchAt20()
    assert.deepEqual([phaseOf(st), st.weightBp, routesOf(st).map((r) => r.name), mirrorOf(st)?.name], ['Paused/CanaryPauseStep', 2000, ['testers'], 'shadow'])
  })
  test('the verbs allowed are those of any analysis step', () => {
    assert.deepEqual(allowedVerbs(R.darkLaunch()), allowedVerbs(A.runningAnalysis()))
    assert.deepEqual(allowedVerbs(R.routed()), allowedVerbs(states.canaryPauseStep()))
  })
})

describe('routes and mirror are cleared when the rollout ends, and by a new attempt', () => {
  const rows: Array<[string, () => RolloutState, string]> = [
    ['promote --full (complete)', () => play(R.routed(), [ev.promoteFull(), s(20)]), 'Healthy/Promoted'],
    ['the steps run out (the last step sets a route)', () => walk([hr('a', QA), { pause: {} }, hr('b', BETA)], 1), 'Healthy/Promoted'],
    ['the confirm-promotion gate passes', () => {
      const waiting = play(boot({ strategy: ROUTE_STEPS, gates: gates({ confirmPromotion: true }) }), [ev.ready(), s(10)], [ev.promoteFull(), s(20)])
      assert.deepEqual([phaseOf(waiting), routesOf(waiting).length], ['Paused/WaitingForPromotionConfirmation', 1], 'kept while the gate waits')
      return judge(waiting, 'confirmPromotion', 'Successful', s(30))
    }, 'Healthy/Promoted'],
    ['abort by a person', () => play(R.routed(), [ev.abort(), s(20)]), 'Aborted/AbortedByAdmin'],
    ['abort under a manual hold', () => play(R.routed(), [ev.pause(), s(20)], [ev.abort(), s(30)]), 'Aborted/AbortedByAdmin'],
    ['a step\'s failed analysis aborts', () => judge(R.darkLaunch(), 'step', 'Failed', s(20)), 'Aborted/AnalysisFailed'],
    ['a failed background analysis aborts', () => judge(R.darkLaunchAt20(), 'background', 'Failed', s(30)), 'Aborted/AnalysisFailed'],
    ['a newer rollout supersedes it', () => play(R.routed(), [ev.start(V3, { supersede: true }), s(20)]), 'Progressing/WaitingForReadiness'],
    ['retry: cleared while the new attempt waits', () => play(R.routed(), [ev.abort(), s(20)], [ev.retry(), s(30)]), 'Progressing/WaitingForReadiness'],
  ]
  for (const [name, make, phase] of rows) {
    test(name, () => {
      const st = make()
      assert.equal(phaseOf(st), phase)
      assert.deepEqual([st.routes, st.mirror], [[], null])
      assert.deepEqual([tableOf(st).routes, tableOf(st).mirror], [[], null])
    })
  }

  test('retry: the steps add them again once the canary is ready', () => {
    const again = play(R.routed(), [ev.abort(), s(20)], [ev.retry(), s(30)], [ev.ready(), s(40)])
    assert.deepEqual([again.attempt, phaseOf(again), again.routes, again.mirror], [2, 'Paused/CanaryPauseStep', R.routed().routes, R.routed().mirror])
  })

  test('an ending says nothing about the routes it clears', () => {
    const r = accepted(R.routed(), ev.abort(), T0 + s(20))
    assert.deepEqual(only(r.effects, 'record').map((e) => e.entry.detail), ['Aborted: by admin'])
  })
})

describe('tableOf: routes and mirror only while the canary is routed', () => {
  const routed = R.routed
  const rows: Array<[string, () => RolloutState, string[], string | null]> = [
    ['routed canary at a pause step', routed, ['testers'], 'shadow'],
    ['held by hand', () => play(routed(), [ev.pause(), s(20)]), ['testers'], 'shadow'],
    ['weight 0 by hand: the routes still reach the canary', () => play(routed(), [ev.setWeight(0), s(20)]), ['testers'], 'shadow'],
    ['in progress but not ready (as a state could only be by hand)', () => ({ ...routed(), canaryReady: false }), [], null],
    ['aborted (as a state could only be by hand)', () => ({ ...routed(), phase: 'Aborted', reason: 'AbortedByAdmin' }), [], null],
    ['healthy (as a state could only be by hand)', () => ({ ...states.healthy(), routes: routed().routes ?? [], mirror: routed().mirror ?? null }), [], null],
    ['a state stored before routes existed', () => {
      const old: Partial<RolloutState> = { ...states.canaryPauseStep() }
      delete old.routes
      delete old.mirror
      return old as RolloutState
    }, [], null],
    ['blue/green has no steps, so none', states.blueGreenPause, [], null],
  ]
  for (const [name, make, routes, mirror] of rows) {
    test(name, () => {
      const t = tableOf(make())
      assert.deepEqual([t.routes.map((r) => r.name), t.mirror?.name ?? null], [routes, mirror])
    })
  }

  const base = tableOf(routed())
  const same: Array<[string, () => RolloutState, boolean]> = [
    ['the same routes, listed with keys in another order', () => {
      const st = routed()
      const flipped = (st.routes ?? []).map((r) => ({ target: r.target, match: r.match.map((c) => ({ headerValue: c.headerValue, headerName: c.headerName })), name: r.name }))
      return { ...st, routes: flipped }
    }, true],
    ['another condition value', () => ({ ...routed(), routes: [canary('testers', DEV)] }), false],
    ['another route name', () => ({ ...routed(), routes: [canary('others', QA)] }), false],
    ['another target', () => ({ ...routed(), routes: [{ name: 'testers', match: QA, target: { role: 'stable' } }] }), false],
    ['one more route', () => ({ ...routed(), routes: [...(routed().routes ?? []), canary('b', BETA)] }), false],
    ['another mirror percentage', () => ({ ...routed(), mirror: { name: 'shadow', percentage: 51, match: QA } }), false],
    ['no mirror', () => ({ ...routed(), mirror: null }), false],
  ]
  for (const [name, make, want] of same) test(`sameTable: ${name} -> ${want}`, () => assert.equal(sameTable(base, tableOf(make())), want))
})

describe('effects: a route or mirror change alone publishes a new table', () => {
  type Kind = Parameters<typeof only>[1]
  const rows: Array<[string, () => RolloutState, EngineEvent, Kind[]]> = [
    ['promote into a header route step, same weight', () => walk([{ setWeight: 20 }, { pause: {} }, hr('a', QA), { pause: {} }]), ev.promote(), ['record', 'publish']],
    ['promote into a mirror step, same weight', () => walk([{ setWeight: 20 }, { pause: {} }, mr('m', { percentage: 50 }), { pause: {} }]), ev.promote(), ['record', 'publish']],
    ['promote into the removals, same weight', R.routed, ev.promote(), ['record', 'publish']],
    ['promote into steps that change nothing: no publish', () => walk([hr('a', QA), { pause: {} }, hr('a', QA), hr('zz'), mr('m'), { pause: {} }]), ev.promote(), ['record']],
    ['pause over routes: no publish', R.routed, ev.pause(), ['record']],
    ['a tick ends a timed pause into a route step', () => walk([{ setWeight: 20 }, { pause: { durationMs: s(5) } }, hr('a', QA), { pause: {} }]), ev.tick(), ['record', 'publish', 'timer']],
  ]
  for (const [name, make, event, want] of rows) {
    test(name, () => {
      const before = make()
      const r = accepted(before, event, before.updatedAt + s(10))
      assert.deepEqual(r.effects.map((e) => e.type), want)
    })
  }
})

describe('history details of route and mirror steps', () => {
  const rows: Array<[string, () => RolloutState, EngineEvent, string]> = [
    ['a header route with the weight unchanged', () => boot({ strategy: { type: 'canary', steps: [hr('testers', QA), { pause: {} }] } }), ev.ready(),
      'v2 ready; Paused: CanaryPauseStep, step 2/2, waiting for promote; header route testers -> v2 (x-team exact qa)'],
    ['routes and mirror with a weight change', () => boot({ strategy: ROUTE_STEPS }), ev.ready(),
      'v2 ready; weight 0% -> 20% (step 4/7); header route testers -> v2 (x-team exact qa); mirror shadow: 50% of matching requests to v2 (x-team exact qa)'],
    ['removals', R.routed, ev.promote(), 'Paused: CanaryPauseStep, step 7/7, waiting for promote; route testers removed; mirror shadow removed'],
    ['a replacement by name', () => walk([hr('a', QA), { pause: {} }, hr('a', DEV), { pause: {} }]), ev.promote(),
      'Paused: CanaryPauseStep, step 4/4, waiting for promote; header route a -> v2 (x-team exact dev)'],
    ['a mirror of every request', () => boot({ strategy: { type: 'canary', steps: [mr('all', { percentage: 100 }), { pause: {} }] } }), ev.ready(),
      'v2 ready; Paused: CanaryPauseStep, step 2/2, waiting for promote; mirror all: 100% of all requests to v2'],
    ['a mirror replaced by another name', () => walk([mr('a', { percentage: 50 }), { pause: {} }, mr('b', { percentage: 5, match: QA }), { pause: {} }]), ev.promote(),
      'Paused: CanaryPauseStep, step 4/4, waiting for promote; mirror b: 5% of matching requests to v2 (x-team exact qa)'],
    ['steps that change nothing say nothing', () => walk([hr('a', QA), { pause: {} }, hr('a', QA), { pause: {} }]), ev.promote(), 'Paused: CanaryPauseStep, step 4/4, waiting for promote'],
  ]
  for (const [name, make, event, detail] of rows) {
    test(name, () => {
      const before = make()
      const r = accepted(before, event, before.updatedAt + s(10))
      assert.deepEqual(only(r.effects, 'record').map((e) => e.entry.detail), [detail])
    })
  }

  const matches: Array<[MatchCondition[], string]> = [
    [QA, 'x-team exact qa'],
    [[{ headerName: 'x-team', headerValue: { regex: '^q' } }, { headerName: 'x-beta' }], 'x-team regex ^q and x-beta present'],
    [[{ queryName: 'debug', queryValue: { prefix: '1' }, pathPrefix: '/api', method: ['GET', 'HEAD'] }], 'query debug prefix 1 and path prefix /api and method GET|HEAD'],
    [[{ queryName: 'debug' }], 'query debug present'],
    [[], 'every request'],
  ]
  for (const [match, text] of matches) test(`describeMatch -> ${text}`, () => assert.equal(describeMatch(match), text))
})
