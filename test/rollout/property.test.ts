import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { initialState } from '../../src/rollout/initial.js'
import { reduce } from '../../src/rollout/reduce.js'
import { sameTable, tableOf } from '../../src/rollout/table-of.js'
import type { AnalysisKind, CanaryStep, EngineEvent, Phase, Reason, RolloutState, Strategy, Verb } from '../../src/rollout/types.js'
import type { MirrorSpec, RouteSpec } from '../../src/routing/types.js'
import { beneath } from '../../src/rollout/phase.js'
import { allowedVerbs } from '../../src/rollout/verbs.js'
import { nextWakeAt } from '../../src/rollout/wake.js'
import { seeded } from '../support/prng.js'
import { AN_PAUSE, AN_STEPS, BG, BG_AUTO, BG_CHECKED, DARK, DEV, QA, ROUTE_STEPS, s, STEPS, T0, V1, V2 } from './fixtures.js'

/** Seeded, so a failing sequence can be replayed from its seed. */
const prng = seeded

const strategies: Array<Strategy | null> = [
  STEPS,
  BG,
  BG_AUTO,
  null,
  { type: 'canary', steps: [{ setWeight: 10 }, { pause: { durationMs: s(5) } }, { setWeight: 10 }, { pause: { durationMs: 0 } }, { setWeight: 99.99 }, { pause: {} }] },
  { type: 'blueGreen', autoPromotionEnabled: true, autoPromotionSeconds: null, scaleDownDelaySeconds: 0 },
  AN_STEPS,
  AN_PAUSE,
  { ...AN_PAUSE, analysis: { templates: ['bg-health'], startingStep: 3 } } as Strategy,
  { ...AN_STEPS, analysis: { templates: ['bg-health'], startingStep: 0 } } as Strategy,
  { type: 'canary', steps: [{ analysis: { templates: ['a'], onFailure: 'pause' } }, { setWeight: 50 }, { analysis: { templates: ['b'], onFailure: 'abort' } }], analysis: { templates: ['bg'], startingStep: 2 } },
  BG_CHECKED,
  { ...BG_AUTO, prePromotionAnalysis: { templates: ['pre'] } } as Strategy,
  { ...BG, scaleDownDelaySeconds: 0, postPromotionAnalysis: { templates: ['post'] } } as Strategy,
  ROUTE_STEPS,
  DARK,
  {
    type: 'canary',
    steps: [
      { setHeaderRoute: { name: 'a', match: QA } }, { setMirrorRoute: { name: 'm', percentage: 10 } }, { setWeight: 10 }, { pause: { durationMs: s(5) } },
      { setHeaderRoute: { name: 'a', match: DEV } }, { setHeaderRoute: { name: 'b', match: QA } }, { setMirrorRoute: { name: 'm2', match: QA } },
      { analysis: { templates: ['x'], onFailure: 'pause' } }, { setHeaderRoute: { name: 'a' } }, { setMirrorRoute: { name: 'm' } }, { pause: { durationMs: 0 } },
      { setWeight: 50 }, { pause: {} }, { setMirrorRoute: { name: 'm2' } }, { setHeaderRoute: { name: 'b', match: [] } },
    ],
    analysis: { templates: ['bg'], startingStep: 4 },
  },
]

/**
 * The header routes and mirror that steps 0..`through` make, folded here independently of the
 * engine: a match adds or replaces by name, no (or an empty) match removes; a mirror with a
 * match or a percentage replaces the mirror, a name-only one removes it if the name is its own.
 */
function routesThrough(steps: readonly CanaryStep[], through: number): { routes: RouteSpec[]; mirror: MirrorSpec | null } {
  let routes: RouteSpec[] = []
  let mirror: MirrorSpec | null = null
  for (const step of steps.slice(0, through + 1)) {
    if ('setHeaderRoute' in step) {
      const { name, match } = step.setHeaderRoute
      const i = routes.findIndex((r) => r.name === name)
      if (match === undefined || match.length === 0) routes = routes.filter((r) => r.name !== name)
      else if (i < 0) routes = [...routes, { name, match, target: { role: 'canary' } }]
      else routes = routes.map((r, j) => (j === i ? { name, match, target: { role: 'canary' } } : r))
    }
    if ('setMirrorRoute' in step) {
      const m = step.setMirrorRoute
      if (m.match !== undefined || m.percentage !== undefined) mirror = { name: m.name, percentage: m.percentage ?? 100, match: m.match ?? [] }
      else if (mirror?.name === m.name) mirror = null
    }
  }
  return { routes, mirror }
}

const gateSets = [
  undefined,
  { preRollout: true, confirmRollout: true, confirmPromotion: true },
  { preRollout: true, confirmRollout: false, confirmPromotion: false },
  { preRollout: false, confirmRollout: true, confirmPromotion: false },
  { preRollout: false, confirmRollout: false, confirmPromotion: true },
]

const phaseOf: Record<Reason, Phase | Phase[]> = {
  NoRollout: 'Healthy',
  Promoted: 'Healthy',
  StaticSplit: 'Paused',
  WaitingForReadiness: 'Progressing',
  CanaryPauseStep: 'Paused',
  TimedPause: 'Paused',
  ManualPause: 'Paused',
  ManualWeight: 'Paused',
  BlueGreenPause: 'Paused',
  ScaleDownDelay: 'Progressing',
  AbortedByAdmin: 'Aborted',
  ProgressDeadlineExceeded: 'Aborted',
  Superseded: 'Aborted',
  ProgressDeadlineDegraded: 'Degraded',
  StableUnavailable: 'Degraded',
  RunningAnalysis: 'Progressing',
  InconclusiveAnalysis: 'Paused',
  AnalysisFailed: ['Paused', 'Aborted'],
  PreRolloutChecks: 'Progressing',
  WaitingForConfirmation: 'Paused',
  WaitingForPromotionConfirmation: 'Paused',
  PrePromotionAnalysis: 'Progressing',
  PostPromotionAnalysis: 'Progressing',
}

/** The reason that says the rollout waits on a run of this kind. */
const waitsOn: Partial<Record<Reason, AnalysisKind>> = {
  RunningAnalysis: 'step',
  PreRolloutChecks: 'preRollout',
  WaitingForConfirmation: 'confirmRollout',
  WaitingForPromotionConfirmation: 'confirmPromotion',
  PrePromotionAnalysis: 'prePromotion',
  PostPromotionAnalysis: 'postPromotion',
}

function randomEvent(r: () => number, st: RolloutState): EngineEvent {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T
  const actor = pick(['admin', 'cli', 'alice'])
  const version = pick(['v2', 'v3', 'v4'])
  switch (pick(['start', 'ready', 'ready', 'ready', 'promote', 'promote', 'abort', 'retry', 'pause', 'resume', 'setWeight', 'tick', 'tick', 'tick', 'result', 'result', 'result', 'result', 'health', 'health', 'backends'] as const)) {
    case 'start': {
      const strategy = pick(strategies)
      return { type: 'start', version: { name: version, backends: [`http://${version}`] }, supersede: r() < 0.5, actor, ...(strategy === null ? {} : { strategy }) }
    }
    case 'ready': return { type: 'ready', version: r() < 0.8 ? (st.canary?.name ?? version) : version }
    case 'promote': return { type: 'promote', full: r() < 0.3, actor }
    case 'abort': return r() < 0.5 ? { type: 'abort', actor } : { type: 'abort', actor, message: 'bad' }
    case 'retry': return { type: 'retry', actor }
    case 'pause': return { type: 'pause', actor }
    case 'resume': return { type: 'resume', actor }
    case 'setWeight': return { type: 'setWeight', weightBp: pick([0, 10000, 2500, Math.floor(r() * 10001), -1, 10001, 12.5]), actor }
    case 'tick': return { type: 'tick' }
    case 'result': {
      // Mostly a run in progress; sometimes a late result from a run that was stopped.
      const runs = st.analysisRuns ?? []
      const id = runs.length > 0 && r() < 0.9 ? pick(runs).id : pick(['step-a1-s0-r1', 'background-a1-s0-r2', 'preRollout-a1-s-1-r2'])
      return { type: 'analysisResult', id, result: pick(['Successful', 'Successful', 'Failed', 'Inconclusive'] as const), message: pick(['', 'success-rate 0.962 < 0.99 over 412 requests']) }
    }
    case 'health': return { type: 'versionHealth', version: pick([st.stable.name, st.canary?.name ?? version, version]), available: r() < 0.5 }
    case 'backends': {
      // A reload: the stable's or the canary's list, now and then a version no longer there.
      const name = pick([st.stable.name, st.canary?.name ?? version, version])
      return { type: 'setBackends', version: name, backends: pick([[`http://${name}`], [`http://${name}`, `http://${name}-b`]]), actor }
    }
  }
}

function withGates(gates: { preRollout: boolean; confirmRollout: boolean; confirmPromotion: boolean } | undefined) {
  return gates === undefined ? {} : { gates }
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x)
    for (const v of Object.values(x)) deepFreeze(v)
  }
  return x
}

/** A Degraded shown because the stable is down lies over a state that keeps every invariant. */
function checkState(shown: RolloutState, where: string): void {
  const table = tableOf(shown)
  const down = shown.unavailable ?? []
  for (const v of down) assert.ok(v === table.stable.name || v === table.canary?.name, `${where}: ${v} is unavailable but not in the table`)
  const stableDown = down.includes(shown.stable.name)
  assert.equal(shown.reason === 'StableUnavailable', stableDown, `${where}: reason ${shown.reason} with unavailable ${down.join(',')}`)
  assert.equal(shown.degradedFrom != null, stableDown, `${where}: degradedFrom`)
  if (stableDown) assert.equal(shown.phase, 'Degraded', where)
  checkRollout(beneath(shown), where)
}

function checkRollout(st: RolloutState, where: string): void {
  assert.ok(Number.isInteger(st.weightBp) && st.weightBp >= 0 && st.weightBp <= 10000, `${where}: weightBp ${st.weightBp}`)
  if (st.strategy.type === 'blueGreen') assert.ok(st.weightBp === 0 || st.weightBp === 10000, `${where}: blue/green weight ${st.weightBp}`)
  assert.equal(st.canary === null, st.phase === 'Healthy', `${where}: canary ${st.canary?.name ?? 'null'} in ${st.phase}`)
  assert.ok([phaseOf[st.reason]].flat().includes(st.phase), `${where}: reason ${st.reason} in ${st.phase}`)
  assert.notEqual(st.reason, 'Superseded', `${where}: Superseded is for history only`)
  assert.doesNotMatch(st.message, /undefined|NaN|unset|null/, `${where}: message ${st.message}`)
  if (st.phase === 'Healthy' || st.phase === 'Aborted') {
    assert.deepEqual([st.weightBp, st.canaryReady, st.pauseUntil, st.progressDeadlineAt], [0, false, null, null], `${where}: leftovers`)
  }
  // Only a blue/green promotion keeps the old version, for the scale-down window.
  if (st.scaleDownAt !== null && st.phase === 'Healthy') assert.ok(st.strategy.type === 'blueGreen' && st.previousStable !== null, `${where}: a window without the old version`)
  if (st.phase === 'Aborted') assert.equal(st.scaleDownAt, null, `${where}: a window after an abort`)
  const runs = st.analysisRuns ?? []
  const pending = st.pendingAnalysis ?? null
  const inProgress = st.phase === 'Progressing' || st.phase === 'Paused' || st.phase === 'Degraded'
  if (!inProgress) assert.deepEqual([runs, pending], [[], null], `${where}: runs or a pending verdict without a rollout in progress`)
  const routes = st.routes ?? []
  const mirror = st.mirror ?? null
  if (!inProgress) assert.deepEqual([routes, mirror], [[], null], `${where}: routes or a mirror without a rollout in progress`)
  const steps = st.strategy.type === 'canary' ? st.strategy.steps : []
  assert.deepEqual({ routes, mirror }, inProgress ? routesThrough(steps, st.stepIndex) : { routes: [], mirror: null }, `${where}: routes and mirror are not those of steps 1..${st.stepIndex + 1}`)
  const table = tableOf(st)
  if (table.canary === null) assert.deepEqual([table.routes, table.mirror], [[], null], `${where}: routes in a table without the canary`)
  else assert.deepEqual([table.routes, table.mirror], [routes, mirror], `${where}: the table's routes`)
  if (!st.canaryReady) assert.deepEqual(runs, [], `${where}: runs before readiness`)
  if (runs.some((x) => x.kind === 'preRollout' || x.kind === 'confirmRollout' || x.kind === 'prePromotion')) {
    assert.equal(st.weightBp, 0, `${where}: weight ${st.weightBp} while a pre-traffic gate runs`)
  }
  assert.ok(runs.filter((x) => x.kind !== 'background').length <= 1, `${where}: two stage runs ${JSON.stringify(runs)}`)
  assert.ok(runs.filter((x) => x.kind === 'background').length <= 1, `${where}: two background runs`)
  assert.equal(new Set(runs.map((x) => x.id)).size, runs.length, `${where}: duplicate run ids`)
  if (runs.some((x) => x.kind === 'background')) assert.equal(st.strategy.type, 'canary', `${where}: background analysis outside a canary`)
  const held = st.reason === 'ManualPause' || st.reason === 'ManualWeight'
  const wanted = waitsOn[st.reason]
  if (wanted !== undefined) assert.ok(runs.some((x) => x.kind === wanted), `${where}: ${st.reason} without a ${wanted} run`)
  if (st.phase === 'Paused' && st.reason === 'InconclusiveAnalysis') assert.equal(pending?.result, 'Inconclusive', `${where}: inconclusive without the verdict`)
  if (st.phase === 'Paused' && st.reason === 'AnalysisFailed') assert.equal(pending?.result, 'Failed', `${where}: failed without the verdict`)
  if (pending !== null && !held) assert.ok(st.reason === 'InconclusiveAnalysis' || st.reason === 'AnalysisFailed', `${where}: pending ${pending.result} in ${st.reason}`)
  if (st.reason === 'WaitingForReadiness') assert.notEqual(st.progressDeadlineAt, null, `${where}: waiting without a deadline`)
  if (st.reason === 'TimedPause') assert.notEqual(st.pauseUntil, null, `${where}: timed pause without an end`)
}

/** One representative event per verb; a verb is allowed iff one of them changes the state. */
const tries: Record<Verb, EngineEvent[]> = {
  start: [{ type: 'start', version: { name: 'v9', backends: ['http://v9'] }, actor: 'p' }],
  promote: [{ type: 'promote', full: false, actor: 'p' }],
  promoteFull: [{ type: 'promote', full: true, actor: 'p' }],
  pause: [{ type: 'pause', actor: 'p' }],
  resume: [{ type: 'resume', actor: 'p' }],
  setWeight: [0, 2500, 10000].map((weightBp): EngineEvent => ({ type: 'setWeight', weightBp, actor: 'p' })),
  abort: [{ type: 'abort', actor: 'p' }],
  retry: [{ type: 'retry', actor: 'p' }],
}

describe('random event sequences keep the invariants', () => {
  for (let seed = 1; seed <= 300; seed++) {
    test(`seed ${seed}`, () => {
      const r = prng(seed)
      let now = T0
      let st = initialState({
        stable: V1,
        canary: r() < 0.7 ? V2 : null,
        strategy: strategies[Math.floor(r() * strategies.length)] ?? null,
        weightBp: r() < 0.5 ? 0 : 10000,
        mode: r() < 0.5 ? 'canary' : 'blueGreen',
        options: { progressDeadlineSeconds: 60 + Math.floor(r() * 600), progressDeadlineAbort: r() < 0.5, ...withGates(gateSets[Math.floor(r() * gateSets.length)]) },
        now,
      }).state
      checkState(st, `seed ${seed} initial`)
      const everStarted = new Set<string>()
      for (let i = 0; i < 80; i++) {
        now += r() < 0.1 ? s(86_400) : Math.floor(r() * s(90))
        const event = randomEvent(r, st)
        const where = `seed ${seed} #${i} ${JSON.stringify(event)} in ${st.phase}/${st.reason}`
        const before = deepFreeze(st)
        const res = reduce(before, event, now)
        assert.deepEqual(reduce(before, event, now), res, `${where}: not deterministic`)

        for (const [verb, events] of Object.entries(tries) as Array<[Verb, EngineEvent[]]>) {
          const changes = events.some((e) => {
            const t = reduce(before, e, now)
            return t.ok && t.changed
          })
          assert.equal(allowedVerbs(before).includes(verb), changes, `${where}: allowedVerbs and reduce disagree on ${verb}`)
        }

        if (!res.ok) {
          assert.deepEqual(res.error.allowed, allowedVerbs(before), where)
          assert.equal(res.error.phase, before.phase, where)
          continue
        }
        if (!res.changed) {
          assert.equal(res.state, before, where)
          assert.deepEqual(res.effects, [], where)
          continue
        }
        const after = res.state
        checkState(after, where)
        assert.equal(after.revision, before.revision + 1, `${where}: revision`)
        assert.equal(after.updatedAt, now, where)
        const records = res.effects.filter((e) => e.type === 'record')
        assert.ok(records.length >= 1, `${where}: a change without a record`)
        for (const e of records) assert.equal(e.entry.at, now, where)
        assert.equal(res.effects.filter((e) => e.type === 'publish').length, sameTable(tableOf(before), tableOf(after)) ? 0 : 1, `${where}: publish`)
        const timers = res.effects.filter((e) => e.type === 'timer')
        assert.deepEqual(timers, nextWakeAt(before) === nextWakeAt(after) ? [] : [{ type: 'timer', at: nextWakeAt(after) }], `${where}: timer`)
        const was = before.analysisRuns ?? []
        const is = after.analysisRuns ?? []
        const starts = res.effects.flatMap((e) => (e.type === 'startAnalysis' ? [e.run] : []))
        const stops = res.effects.flatMap((e) => (e.type === 'stopAnalysis' ? [e.id] : []))
        assert.deepEqual(starts, is.filter((x) => !was.some((y) => y.id === x.id)), `${where}: startAnalysis`)
        const ended = event.type === 'analysisResult' ? event.id : null
        assert.deepEqual(stops, was.filter((x) => x.id !== ended && !is.some((y) => y.id === x.id)).map((x) => x.id), `${where}: stopAnalysis`)
        for (const run of starts) {
          assert.ok(!everStarted.has(run.id), `${where}: run id ${run.id} used twice`)
          everStarted.add(run.id)
          assert.equal(run.startedAt, now, where)
        }
        if (event.type === 'analysisResult') assert.ok(was.some((x) => x.id === event.id), `${where}: a result for an unknown run changed the state`)
        if (event.type === 'tick') {
          const again = reduce(deepFreeze(after), event, now)
          assert.ok(again.ok && !again.changed, `${where}: a tick left something due`)
        }
        st = after
      }
    })
  }
})
