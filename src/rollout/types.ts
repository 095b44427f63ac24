/**
 * The rollout engine's vocabulary. Everything here is plain data (JSON-serialisable): the
 * state is what the store persists, events are what the driver feeds in, effects are what the
 * driver carries out. See docs/architecture.md for the life cycle.
 */

export type Phase = 'Healthy' | 'Progressing' | 'Paused' | 'Aborted' | 'Degraded'

/** Machine-readable reason for the phase; the human sentence is `message`. */
export type Reason =
  | 'NoRollout' // Healthy: nothing released yet
  | 'Promoted' // Healthy: the last rollout finished and its version is stable
  | 'StaticSplit' // Paused: a canary from the config without a strategy, held at its weight
  | 'WaitingForReadiness' // Progressing: not every backend of the new version answers its readiness probe yet
  | 'CanaryPauseStep' // Paused: a `pause: {}` step, waiting for promote
  | 'TimedPause' // Paused: a `pause: {duration}` step, until `pauseUntil`
  | 'ManualPause' // Paused: held by `pause`
  | 'ManualWeight' // Paused: held at a weight set by hand
  | 'BlueGreenPause' // Paused: blue/green pre-promotion wait (indefinite, or until `pauseUntil`)
  | 'ScaleDownDelay' // Progressing: blue/green flipped; the old version stays in the table until `scaleDownAt`
  | 'AbortedByAdmin' // Aborted: by a person (or the CLI)
  | 'ProgressDeadlineExceeded' // Aborted: not ready within progressDeadlineSeconds
  | 'Superseded' // Aborted: replaced by a newer rollout (only ever seen in history)
  | 'ProgressDeadlineDegraded' // Degraded: not ready within the deadline, and progressDeadlineAbort is false

export type Verb = 'promote' | 'promoteFull' | 'abort' | 'retry' | 'pause' | 'resume' | 'setWeight' | 'start'

export interface VersionSpec {
  name: string
  backends: string[]
}

export type CanaryStep =
  | { setWeight: number } // percent, up to two decimals
  | { pause: { durationMs?: number } } // no duration: wait for promote

export type Strategy =
  | { type: 'canary'; steps: CanaryStep[] }
  | { type: 'blueGreen'; autoPromotionEnabled: boolean; autoPromotionSeconds: number | null; scaleDownDelaySeconds: number }

export interface RolloutOptions {
  progressDeadlineSeconds: number
  progressDeadlineAbort: boolean
}

export interface RolloutState {
  /** Bumped on every change; the store's compare-and-set is on this number. */
  revision: number
  phase: Phase
  reason: Reason
  message: string
  strategy: Strategy
  options: RolloutOptions
  stable: VersionSpec
  /** The version being released (kept after an abort, for retry). Null when none. */
  canary: VersionSpec | null
  /** The stable before the last promotion, for undo. */
  previousStable: VersionSpec | null
  /** Canary strategy: index of the current step; -1 before the first step and with no rollout. */
  stepIndex: number
  /** Canary share of the main listener in basis points (0..10000). In blue/green, 0 or 10000. */
  weightBp: number
  /** True once every backend of the canary answered its readiness probe for this attempt. */
  canaryReady: boolean
  /** Deadline (epoch ms) of a timed pause or of blue/green auto-promotion. */
  pauseUntil: number | null
  /** Deadline (epoch ms) for the canary to become ready. */
  progressDeadlineAt: number | null
  /** Blue/green: when the old version leaves the table after a flip (epoch ms). */
  scaleDownAt: number | null
  /**
   * Set for a static split: a canary from the config without a strategy, held at this weight
   * once ready instead of running steps (`setWeight` moves it). Null for a rollout with a
   * strategy. The phase alone cannot tell: while waiting for readiness, after a manual pause
   * and after an abort (for retry) a static split looks like any other rollout. Optional so
   * that states stored before it existed still load; absent means null (read it through
   * `staticSplitOf`).
   */
  staticSplitBp?: number | null
  /** 1 for the first attempt of a rollout, +1 for every retry. */
  attempt: number
  startedAt: number | null
  updatedAt: number
  finishedAt: number | null
  /** Why the last rollout was aborted, when it was. */
  abort: { reason: Reason; message: string; actor: string; at: number } | null
}

export type EngineEvent =
  | { type: 'start'; version: VersionSpec; strategy?: Strategy; supersede?: boolean; actor: string }
  | { type: 'ready'; version: string }
  | { type: 'promote'; full: boolean; actor: string }
  | { type: 'abort'; actor: string; message?: string }
  | { type: 'retry'; actor: string }
  | { type: 'pause'; actor: string }
  | { type: 'resume'; actor: string }
  | { type: 'setWeight'; weightBp: number; actor: string }
  /** A timer fired (or the process started): act on every deadline that is due at `now`. */
  | { type: 'tick' }

/** One line of history, as `GET /api/v1/rollout/events` returns it. */
export interface HistoryEntry {
  at: number
  event: string
  actor: string
  from: Phase
  to: Phase
  detail: string
}

export type Effect =
  /** Publish the routing table that `tableOf(state)` describes. */
  | { type: 'publish' }
  /** Probe the readiness of every backend of `version` until it is ready (a `ready` event). */
  | { type: 'probeReadiness'; version: VersionSpec }
  | { type: 'stopReadiness' }
  /** Wake the engine with a `tick` at `at` (epoch ms); replaces any earlier timer. Null: no timer. */
  | { type: 'timer'; at: number | null }
  | { type: 'record'; entry: HistoryEntry }

export interface EngineError {
  code: 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED' | 'RAMP_ERR_ROLLOUT_IN_PROGRESS' | 'RAMP_ERR_ROLLOUT_NO_CANARY' | 'RAMP_ERR_WEIGHT_MODE' | 'RAMP_ERR_ADMIN_BAD_REQUEST'
  message: string
  phase: Phase
  allowed: Verb[]
}

export type ReduceResult =
  | { ok: true; state: RolloutState; effects: Effect[]; changed: boolean }
  | { ok: false; error: EngineError }
