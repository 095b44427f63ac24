import { begin, commit } from './draft.js'
import { formatMessage } from './messages.js'
import { launch } from './start.js'
import type { Effect, RolloutOptions, RolloutState, Strategy, VersionSpec } from './types.js'

export interface InitialInput {
  stable: VersionSpec
  canary: VersionSpec | null
  strategy: Strategy | null
  /** Without a strategy, the mode decides what a static split may be: any weight, or 0/100. */
  mode: 'canary' | 'blueGreen'
  /** The configured weight; used only by a static split (a canary without a strategy). */
  weightBp: number
  options: RolloutOptions
  now: number
}

/**
 * The state when the store holds none. A configured canary is started at boot exactly as a
 * `start` would, so its effects (probe, timer, history) are those of a start from the plain
 * stable state. That state has revision 0 and needs no effects; the driver builds the first
 * routing table from `tableOf` of whatever this returns.
 */
export function initialState(input: InitialInput): { state: RolloutState; effects: Effect[] } {
  const strategy: Strategy = input.strategy ?? (input.mode === 'blueGreen'
    ? { type: 'blueGreen', autoPromotionEnabled: false, autoPromotionSeconds: null, scaleDownDelaySeconds: 0 }
    : { type: 'canary', steps: [] })
  const plain: RolloutState = {
    revision: 0,
    phase: 'Healthy',
    reason: 'NoRollout',
    message: '',
    strategy,
    options: input.options,
    stable: { name: input.stable.name, backends: [...input.stable.backends] },
    canary: null,
    previousStable: null,
    stepIndex: -1,
    weightBp: 0,
    canaryReady: false,
    pauseUntil: null,
    progressDeadlineAt: null,
    scaleDownAt: null,
    staticSplitBp: null,
    analysisRuns: [],
    lastAnalysis: null,
    pendingAnalysis: null,
    routes: [],
    mirror: null,
    attempt: 0,
    startedAt: null,
    updatedAt: input.now,
    finishedAt: null,
    abort: null,
  }
  const base = { ...plain, message: formatMessage(plain, 'config') }
  if (input.canary === null) return { state: base, effects: [] }
  const attempt = { canary: input.canary, strategy, attempt: 1, staticSplitBp: input.strategy === null ? input.weightBp : null }
  return commit(base, launch(begin(base), attempt, { now: input.now, event: 'start', actor: 'config' }), input.now)
}
