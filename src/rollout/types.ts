/**
 * The rollout engine's vocabulary. Everything here is plain data (JSON-serialisable): the
 * state is what the store persists, events are what the driver feeds in, effects are what the
 * driver carries out. See docs/architecture.md for the life cycle.
 */

import type { TableSpec } from '../routing/spec.js'
import type { MatchCondition, MirrorSpec, RouteSpec } from '../routing/types.js'

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
  | 'ScaleDownDelay' // Progressing: a blue/green scale-down window stored by an older ramp, which kept the old version stable in it (now the window is Healthy/Promoted with `scaleDownAt`)
  | 'AbortedByAdmin' // Aborted: by a person (or the CLI)
  | 'ProgressDeadlineExceeded' // Aborted: not ready within progressDeadlineSeconds
  | 'Superseded' // Aborted: replaced by a newer rollout (only ever seen in history)
  | 'ProgressDeadlineDegraded' // Degraded: not ready within the deadline, and progressDeadlineAbort is false
  | 'StableUnavailable' // Degraded: the stable version has no available backend; `degradedFrom` holds the phase beneath
  | 'RunningAnalysis' // Progressing: the analysis run of an `analysis` step runs
  | 'InconclusiveAnalysis' // Paused: a run was inconclusive; promote goes on as if it passed, abort aborts
  | 'AnalysisFailed' // Paused: a step's run failed with onFailure: pause. Aborted: an analysis (or the pre-rollout webhooks) failed
  | 'PreRolloutChecks' // Progressing: the pre-rollout webhooks run; the canary takes no main traffic yet
  | 'WaitingForConfirmation' // Paused: the confirm-rollout webhook has not answered 2xx yet
  | 'WaitingForPromotionConfirmation' // Paused: the confirm-promotion webhook has not answered 2xx yet
  | 'PrePromotionAnalysis' // Progressing: blue/green pre-promotion analysis on the preview listener, before the flip
  | 'PostPromotionAnalysis' // Progressing: blue/green post-promotion analysis after the flip; the old version stays in the table

export type Verb = 'promote' | 'promoteFull' | 'abort' | 'retry' | 'pause' | 'resume' | 'setWeight' | 'start'

export interface VersionSpec {
  name: string
  backends: string[]
}

export type CanaryStep =
  | { setWeight: number } // percent, up to two decimals
  | { pause: { durationMs?: number } } // no duration: wait for promote
  /** Run the templates once (each with its own count) and wait for the verdict. */
  | { analysis: { templates: string[]; onFailure: 'abort' | 'pause' } }
  /**
   * Argo's setHeaderRoute, instantaneous like setWeight. With a (non-empty) `match`: adds the
   * route `name` sending matching requests to the canary, or replaces the route of that name
   * in place. Without one: removes the route `name` (if there is none, nothing changes).
   */
  | { setHeaderRoute: { name: string; match?: MatchCondition[] } }
  /**
   * Argo's setMirrorRoute, instantaneous like setWeight. With `match` or `percentage`: the
   * mirror becomes this one (ramp has one at a time; a new name replaces the old), copying
   * `percentage` (default 100) of the requests that match `match` (default: every request)
   * to the canary. With only `name`: removes the mirror of that name (another one stays).
   */
  | { setMirrorRoute: { name: string; percentage?: number; match?: MatchCondition[] } }

/**
 * The analysis and blue/green analysis fields are optional so that states stored before they
 * existed still load; absent means null (none).
 */
export type Strategy =
  | {
    type: 'canary'
    steps: CanaryStep[]
    /** Background analysis: runs from step index `startingStep` (0-based) until the rollout ends. */
    analysis?: { templates: string[]; startingStep: number } | null
  }
  | {
    type: 'blueGreen'
    autoPromotionEnabled: boolean
    autoPromotionSeconds: number | null
    scaleDownDelaySeconds: number
    /** On the preview listener, before the pre-promotion wait; the flip waits for it. */
    prePromotionAnalysis?: { templates: string[] } | null
    /** On the main listener, right after the flip; the scale-down delay starts once it passed. */
    postPromotionAnalysis?: { templates: string[] } | null
  }

/** Which webhook gates are configured; the runner knows their URLs. */
export interface Gates {
  preRollout: boolean
  confirmRollout: boolean
  confirmPromotion: boolean
}

export interface RolloutOptions {
  progressDeadlineSeconds: number
  progressDeadlineAbort: boolean
  /** Absent: no gates (states stored before gates existed still load). */
  gates?: Gates
}

export type AnalysisKind = 'step' | 'background' | 'prePromotion' | 'postPromotion' | 'preRollout' | 'confirmRollout' | 'confirmPromotion'
export type AnalysisResult = 'Successful' | 'Failed' | 'Inconclusive'

/**
 * One analysis run (or webhook gate) the engine asked the runner for. `id` is deterministic
 * and unique within a rollout: `${kind}-a${attempt}-s${stepIndex}-r${revision}`, the revision
 * being the one of the state that started it. A gate run has no templates: the runner runs
 * every webhook of the gate's type.
 */
export interface AnalysisRef {
  id: string
  kind: AnalysisKind
  templates: string[]
  listener: 'main' | 'preview'
  startedAt: number
}

/** A finished run's verdict. */
export interface AnalysisVerdict {
  id: string
  kind: AnalysisKind
  result: AnalysisResult
  message: string
  at: number
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
  /**
   * The runs in progress (at most one that the rollout waits on, plus the background run).
   * Empty unless a rollout is in progress. Optional so older states load; absent means [].
   */
  analysisRuns?: AnalysisRef[]
  /** The last finished run's verdict, for status. Kept after the rollout ends; a new attempt clears it. */
  lastAnalysis?: AnalysisVerdict | null
  /**
   * The verdict the rollout stands on and has not got past yet: the Inconclusive (or a step's
   * Failed with onFailure: pause) it is paused on, or any verdict that arrived under a manual
   * hold. `resume` acts on it as if it had just arrived; `promote` goes on as if it had passed.
   * Null otherwise; absent means null.
   */
  pendingAnalysis?: AnalysisVerdict | null
  /**
   * Header routes made by setHeaderRoute steps, in the order the steps added them, each to
   * `{ role: 'canary' }`. Mirror: the one made by a setMirrorRoute step. Both are empty unless
   * a rollout is in progress (an ending or a new attempt clears them) and take effect only
   * while the canary is in the table. Optional so older states load; absent means [] / null
   * (read them through `routesOf` / `mirrorOf`).
   */
  routes?: RouteSpec[]
  mirror?: MirrorSpec | null
  /**
   * Versions of the routing table that have no available backend, as the health monitor last
   * said (`versionHealth`). Versions that leave the table leave the list. Optional so older
   * states load; absent means [] (read it through `unavailableOf`).
   */
  unavailable?: string[]
  /**
   * While the stable has no available backend the phase reads Degraded (reason
   * StableUnavailable) over the rollout's own phase, which is kept here and comes back when
   * the stable does. Every event is reduced on the phase beneath (version-health.ts). Null or
   * absent otherwise.
   */
  degradedFrom?: { phase: Phase; reason: Reason; message: string } | null
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
  /** The runner's verdict on a run; for an id not in `analysisRuns` (a stopped run) a no-op. */
  | { type: 'analysisResult'; id: string; result: AnalysisResult; message: string }
  /** The health monitor: `version` (of the routing table) lost its last available backend, or got one back. */
  | { type: 'versionHealth'; version: string; available: boolean }
  /** A running version's backends replaced (a config reload); refused for a version the state does not hold. */
  | { type: 'setBackends'; version: string; backends: string[]; actor: string }

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
  /** Publish the routing table the new state calls for (`tableOf(state)`, computed once per change). */
  | { type: 'publish'; table: TableSpec }
  /** Probe the readiness of every backend of `version` until it is ready (a `ready` event). */
  | { type: 'probeReadiness'; version: VersionSpec }
  | { type: 'stopReadiness' }
  /** Wake the engine with a `tick` at `at` (epoch ms); replaces any earlier timer. Null: no timer. */
  | { type: 'timer'; at: number | null }
  | { type: 'record'; entry: HistoryEntry }
  /** Start an analysis run (or webhook gate); its verdict comes back as an `analysisResult`. */
  | { type: 'startAnalysis'; run: AnalysisRef }
  /** Stop a run that is no longer wanted; a result it still sends is ignored. */
  | { type: 'stopAnalysis'; id: string }

export interface EngineError {
  code: 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED' | 'RAMP_ERR_ROLLOUT_IN_PROGRESS' | 'RAMP_ERR_ROLLOUT_NO_CANARY' | 'RAMP_ERR_ROLLOUT_UNKNOWN_VERSION' | 'RAMP_ERR_WEIGHT_MODE' | 'RAMP_ERR_ADMIN_BAD_REQUEST'
  message: string
  phase: Phase
  allowed: Verb[]
}

export type ReduceResult =
  | { ok: true; state: RolloutState; effects: Effect[]; changed: boolean }
  | { ok: false; error: EngineError }
