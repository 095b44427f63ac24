import type { Phase, RolloutState } from './types.js'

/** The phases of a rollout under way: its canary may take traffic and verbs can move it. */
export function isInProgressPhase(p: Phase): boolean {
  return p === 'Progressing' || p === 'Paused' || p === 'Degraded'
}

export function inProgress(s: RolloutState): boolean {
  return isInProgressPhase(s.degradedFrom?.phase ?? s.phase)
}

/**
 * The state the rollout is in beneath a Degraded that only says the stable has no available
 * backend (version-health.ts): what every event is reduced on, and what decides the table,
 * the verbs and whether a rollout is in progress. Any other state is its own.
 */
export function beneath(s: RolloutState): RolloutState {
  const d = s.degradedFrom
  if (d === undefined || d === null) return s
  return { ...s, phase: d.phase, reason: d.reason, message: d.message, degradedFrom: null }
}

/**
 * The canary's backends are being probed. That is every in-progress state before `ready`,
 * including Degraded (probing goes on past the deadline) and a manual pause taken while
 * waiting (the hold is on the strategy, not on the probe).
 */
export function probing(s: RolloutState): boolean {
  return inProgress(s) && !s.canaryReady
}

/** Held by hand (`pause` or `setWeight`): due deadlines wait until `resume` or `promote`. */
export function held(s: RolloutState): boolean {
  return s.phase === 'Paused' && (s.reason === 'ManualPause' || s.reason === 'ManualWeight')
}

/** The weight of a static split, or null for a rollout with a strategy. */
export function staticSplitOf(s: RolloutState): number | null {
  return s.staticSplitBp ?? null
}
