import { promoteToFlip } from './blue-green.js'
import { enterStep } from './canary.js'
import { begin, move, NOOP, type Outcome } from './draft.js'
import { abortRollout, complete } from './ending.js'
import { deadlineMiss } from './messages.js'
import { held, probing } from './phase.js'
import { beginChecksUnderHold, beginRollout } from './strategy.js'
import type { EngineEvent, RolloutState } from './types.js'

/**
 * Every backend of the canary answers its probe. Ignored unless this very version is being
 * probed (a late answer for an aborted or superseded canary changes nothing). Then the gates
 * and the strategy begin. Under a manual hold the canary is marked ready and only the first
 * pre-traffic check starts (strategy.ts, `beginChecksUnderHold`); the rest waits for resume.
 */
export function ready(s: RolloutState, ev: Extract<EngineEvent, { type: 'ready' }>, now: number): Outcome {
  if (!probing(s) || s.canary?.name !== ev.version) return NOOP
  const marked: RolloutState = { ...s, canaryReady: true, progressDeadlineAt: null }
  const lead = `${ev.version} ready`
  if (held(s)) return move(begin(s), beginChecksUnderHold(marked, now), { now, event: 'ready', actor: 'ramp', lead, message: s.message })
  return move(begin(s), beginRollout(marked, now), { now, event: 'ready', actor: 'ramp', lead })
}

/**
 * Acts on the deadline due at `now`, however long ago it fell due (a tick after a restart).
 * Outside a hold at most one deadline is ever set, and whatever a firing sets lies after
 * `now` (zero-length waits are run straight through), so one firing leaves nothing due: a
 * timed pause that ended a day ago ends now, and the steps after it run in this same reduce.
 * Later pauses count from this tick, not from when the earlier one should have ended.
 */
export function tick(s: RolloutState, now: number): Outcome {
  const due = fireDue(s, now)
  return due === null ? NOOP : move(begin(s), due.next, { now, event: due.event, actor: 'ramp' })
}

function fireDue(s: RolloutState, now: number): { event: string; next: RolloutState } | null {
  // The manual hold wins over a due pause or scale-down; resume acts on them.
  if (held(s)) return null
  if (isDue(s.progressDeadlineAt, now) && probing(s)) {
    const next = s.options.progressDeadlineAbort
      ? abortRollout(s, { reason: 'ProgressDeadlineExceeded', message: deadlineMiss(s), actor: 'ramp' }, now)
      : { ...s, phase: 'Degraded' as const, reason: 'ProgressDeadlineDegraded' as const, progressDeadlineAt: null }
    return { event: 'tick:progressDeadline', next }
  }
  if (isDue(s.pauseUntil, now)) {
    if (s.reason === 'TimedPause' && s.strategy.type === 'canary') {
      return { event: 'tick:pauseElapsed', next: enterStep(s, s.strategy.steps, s.stepIndex + 1, now) }
    }
    if (s.reason === 'BlueGreenPause' && s.strategy.type === 'blueGreen') return { event: 'tick:autoPromotion', next: promoteToFlip(s, s.strategy, now) }
  }
  if (isDue(s.scaleDownAt, now)) {
    if (s.phase === 'Healthy') return { event: 'tick:scaleDown', next: { ...s, scaleDownAt: null } }
    // A window stored by an older ramp, whose old version stayed stable through it.
    if (s.reason === 'ScaleDownDelay') return { event: 'tick:scaleDown', next: complete(s, now) }
  }
  return null
}

function isDue(at: number | null, now: number): boolean {
  return at !== null && at <= now
}
