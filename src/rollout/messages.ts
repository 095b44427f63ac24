import { bpToPercent } from '../routing/weight.js'
import type { MatchCondition, MirrorSpec, RouteSpec, StringMatch } from '../routing/types.js'
import { inProgress, staticSplitOf } from './phase.js'
import { mirrorOf, routesOf } from './routes.js'
import { flippedOf, pendingOf, runLabel, stageRunOf } from './runs.js'
import type { RolloutState, Strategy } from './types.js'

/** Times in messages are UTC wall-clock seconds: 1700000590000 -> "22:23:10". */
export function clock(ms: number | null): string {
  return ms === null ? 'unset' : new Date(ms).toISOString().slice(11, 19)
}

/** 2000 -> "20%", 3550 -> "35.5%", 1 -> "0.01%". */
export function percent(bp: number): string {
  return `${bpToPercent(bp)}%`
}

/**
 * The human sentence for the state's phase and reason, kept in `state.message`. `actor` made
 * the transition; a manual hold names it, because the state keeps no other record of who
 * holds the rollout.
 */
export function formatMessage(s: RolloutState, actor: string): string {
  const canary = s.canary?.name ?? 'the canary'
  switch (s.reason) {
    case 'NoRollout':
      return `Healthy: ${s.stable.name} serves 100%`
    case 'Promoted':
      return `Healthy: ${s.stable.name} promoted at ${clock(s.finishedAt)}` +
        (s.scaleDownAt === null || s.previousStable === null ? '' : `; ${s.previousStable.name} kept until ${clock(s.scaleDownAt)} for an instant abort`)
    case 'WaitingForReadiness':
      return `Progressing: waiting for ${canary} to be ready, deadline ${clock(s.progressDeadlineAt)}`
    case 'ProgressDeadlineDegraded':
      return `Degraded: ${deadlineMiss(s)}`
    case 'StableUnavailable':
      return stableUnavailable(s)
    case 'CanaryPauseStep':
      return `Paused: CanaryPauseStep, ${stepOf(s)}, waiting for promote`
    case 'TimedPause':
      return `Paused: timed pause until ${clock(s.pauseUntil)}, ${stepOf(s)}`
    case 'ManualPause':
      return `Paused: by ${actor}, ${holdPosition(s)}`
    case 'ManualWeight':
      return `Paused: weight set to ${percent(s.weightBp)} by ${actor}, ${holdPosition(s)}`
    case 'StaticSplit':
      return `Paused: static split, ${canary} at ${percent(s.weightBp)}`
    case 'BlueGreenPause':
      return `Paused: BlueGreenPause, ${canary} ready on the preview listener, ` +
        (s.pauseUntil === null ? 'waiting for promote' : `auto-promotion at ${clock(s.pauseUntil)}`)
    case 'ScaleDownDelay': // stored by an older ramp
      return `Progressing: ${canary} active, ${s.stable.name} kept until ${clock(s.scaleDownAt)} for an instant abort`
    case 'AbortedByAdmin': {
      const note = s.abort === null || s.abort.message === '' ? '' : `: ${s.abort.message}`
      return `Aborted: by ${s.abort?.actor ?? actor}${note}`
    }
    case 'ProgressDeadlineExceeded':
      return `Aborted: ${deadlineMiss(s)}`
    case 'Superseded':
      return `Aborted: ${s.abort?.message ?? 'superseded by a newer rollout'}`
    case 'RunningAnalysis':
      return `Progressing: ${running(s, 'analysis')} running, ${stepOf(s)}`
    case 'InconclusiveAnalysis':
    case 'AnalysisFailed': {
      if (s.phase === 'Aborted') return `Aborted: ${s.abort?.message ?? 'analysis failed'}`
      const said = pendingOf(s)?.message ?? ''
      return `Paused: ${s.reason}, ${holdPosition(s)}${said === '' ? '' : `: ${said}`}`
    }
    case 'PreRolloutChecks':
      return `Progressing: pre-rollout webhooks running, ${canary} on the preview listener only`
    case 'WaitingForConfirmation':
      return 'Paused: waiting for confirm-rollout'
    case 'WaitingForPromotionConfirmation':
      return `Paused: waiting for confirm-promotion, ${holdPosition(s)}`
    case 'PrePromotionAnalysis':
      return `Progressing: ${running(s, 'pre-promotion analysis')} running, ${canary} on the preview listener`
    case 'PostPromotionAnalysis':
      return `Progressing: ${running(s, 'post-promotion analysis')} running, ${canary} active, ${s.stable.name} kept for an instant abort`
  }
}

/** "analysis canary-health, latency": what the run the rollout waits on is called. */
function running(s: RolloutState, fallback: string): string {
  const run = stageRunOf(s)
  return run === null ? fallback : runLabel(run)
}

/**
 * "Degraded: v1 (stable) has no available backend, main traffic goes to v2 while that lasts
 * (rollout: Paused: CanaryPauseStep, step 2/5, waiting for promote)": the canary takes it all
 * when it is in the table and has an available backend, else it is panic mode.
 */
function stableUnavailable(s: RolloutState): string {
  const canary = inProgress(s) && s.canaryReady ? s.canary : null
  const down = s.unavailable ?? []
  const where = canary !== null && !down.includes(canary.name)
    ? `main traffic goes to ${canary.name} while that lasts`
    : 'panic: traffic goes by weight to every backend as if healthy'
  const under = s.degradedFrom === undefined || s.degradedFrom === null ? '' : ` (rollout: ${s.degradedFrom.message})`
  return `Degraded: ${s.stable.name} (stable) has no available backend, ${where}${under}`
}

/** "v2 not ready within the progress deadline of 600s": the Degraded and the Aborted wording. */
export function deadlineMiss(s: RolloutState): string {
  return `${s.canary?.name ?? 'the canary'} not ready within the progress deadline of ${s.options.progressDeadlineSeconds}s`
}

/** What an attempt will do, for its history entry: "canary, 5 steps", "static split at 20%". */
export function planOf(strategy: Strategy, staticSplitBp: number | null): string {
  if (staticSplitBp !== null) return `static split at ${percent(staticSplitBp)}`
  if (strategy.type === 'blueGreen') return 'blue/green'
  return `canary, ${strategy.steps.length} step${strategy.steps.length === 1 ? '' : 's'}`
}

/**
 * The `detail` of a history entry: a promotion says so, a weight change shows both weights
 * (and the step it landed on), anything else repeats the new state's message. Header routes
 * and the mirror that the transition's steps set or removed follow ("header route testers ->
 * v2 (x-team exact qa)", "route testers removed", "mirror shadow: 50% of matching requests to
 * v2 (x-team exact qa)", "mirror shadow removed"); an ending clears them without saying so.
 * `lead` names what started the transition when the message cannot ("v2 ready").
 */
export function changeDetail(before: RolloutState, after: RolloutState, lead?: string): string {
  let body = after.message
  if (after.reason === 'Promoted') body = `${after.stable.name} promoted, serves 100%`
  else if (after.phase !== 'Aborted' && after.weightBp !== before.weightBp) {
    const step = after.strategy.type === 'canary' && staticSplitOf(after) === null && after.stepIndex >= 0 ? ` (${stepOf(after)})` : ''
    body = `weight ${percent(before.weightBp)} -> ${percent(after.weightBp)}${step}`
  }
  const parts = [...(lead === undefined ? [] : [lead]), body, ...(inProgress(after) ? routeChanges(before, after) : [])]
  return parts.join('; ')
}

/** What the steps of one transition did to the header routes (removals, then the rest in table order) and the mirror. */
export function routeChanges(before: RolloutState, after: RolloutState): string[] {
  const canary = after.canary?.name ?? 'the canary'
  const was = routesOf(before)
  const is = routesOf(after)
  const out: string[] = []
  for (const r of was) if (!is.some((x) => x.name === r.name)) out.push(`route ${r.name} removed`)
  for (const r of is) {
    const old = was.find((x) => x.name === r.name)
    if (old === undefined || describeRoute(old, canary) !== describeRoute(r, canary)) out.push(describeRoute(r, canary))
  }
  const m0 = mirrorOf(before)
  const m1 = mirrorOf(after)
  if (m1 === null) {
    if (m0 !== null) out.push(`mirror ${m0.name} removed`)
  } else if (m0 === null || describeMirror(m0, canary) !== describeMirror(m1, canary)) {
    out.push(describeMirror(m1, canary))
  }
  return out
}

/** "header route testers -> v2 (x-team exact qa)" */
export function describeRoute(r: RouteSpec, canary: string): string {
  const to = 'version' in r.target ? r.target.version : r.target.role === 'canary' ? canary : 'stable'
  return `header route ${r.name} -> ${to} (${describeMatch(r.match)})`
}

/** "mirror shadow: 50% of matching requests to v2 (x-team exact qa)", "mirror all: 100% of all requests to v2" */
export function describeMirror(m: MirrorSpec, canary: string): string {
  const which = m.match.length === 0 ? 'all' : 'matching'
  const match = m.match.length === 0 ? '' : ` (${describeMatch(m.match)})`
  return `mirror ${m.name}: ${m.percentage}% of ${which} requests to ${canary}${match}`
}

/** Conditions (all of which must hold): "x-team exact qa and method GET|HEAD". */
export function describeMatch(conditions: readonly MatchCondition[]): string {
  return conditions.length === 0 ? 'every request' : conditions.map(describeCondition).join(' and ')
}

function describeCondition(c: MatchCondition): string {
  const out: string[] = []
  if (c.headerName !== undefined) out.push(`${c.headerName} ${c.headerValue === undefined ? 'present' : describeString(c.headerValue)}`)
  if (c.queryName !== undefined) out.push(`query ${c.queryName} ${c.queryValue === undefined ? 'present' : describeString(c.queryValue)}`)
  if (c.pathPrefix !== undefined) out.push(`path prefix ${c.pathPrefix}`)
  if (c.method !== undefined) out.push(`method ${c.method.join('|')}`)
  return out.length === 0 ? 'every request' : out.join(' and ')
}

function describeString(m: StringMatch): string {
  if ('exact' in m) return `exact ${m.exact}`
  if ('prefix' in m) return `prefix ${m.prefix}`
  return `regex ${m.regex}`
}

/** Step numbers are 1-based for people: stepIndex 1 of 5 steps is "step 2/5". */
function stepOf(s: RolloutState): string {
  const n = s.strategy.type === 'canary' ? s.strategy.steps.length : 0
  return `step ${s.stepIndex + 1}/${n}`
}

function holdPosition(s: RolloutState): string {
  if (staticSplitOf(s) !== null) return `static split, ${s.canary?.name ?? 'the canary'} at ${percent(s.weightBp)}`
  if (s.strategy.type === 'blueGreen') return flippedOf(s) ? 'after the flip' : 'before the flip'
  if (s.stepIndex >= 0) return stepOf(s)
  return s.strategy.steps.length === 0 ? 'before promotion' : `before step 1/${s.strategy.steps.length}`
}
