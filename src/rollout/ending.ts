import type { Reason, RolloutState } from './types.js'

export interface AbortCause {
  reason: Extract<Reason, 'AbortedByAdmin' | 'ProgressDeadlineExceeded' | 'Superseded'>
  message: string
  actor: string
}

/** The canary becomes the stable version; the old stable is kept as `previousStable` for undo. */
export function complete(s: RolloutState, now: number): RolloutState {
  return {
    ...s,
    phase: 'Healthy',
    reason: 'Promoted',
    previousStable: s.stable,
    stable: s.canary ?? s.stable,
    canary: null,
    weightBp: 0,
    stepIndex: -1,
    canaryReady: false,
    pauseUntil: null,
    progressDeadlineAt: null,
    scaleDownAt: null,
    staticSplitBp: null,
    finishedAt: now,
  }
}

/**
 * Stable takes 100% again. The canary stays named (but not ready: a retry probes it afresh)
 * and so do the step and the strategy, for `retry`.
 */
export function abortRollout(s: RolloutState, cause: AbortCause, now: number): RolloutState {
  return {
    ...s,
    phase: 'Aborted',
    reason: cause.reason,
    weightBp: 0,
    canaryReady: false,
    pauseUntil: null,
    progressDeadlineAt: null,
    scaleDownAt: null,
    abort: { ...cause, at: now },
    finishedAt: now,
  }
}
