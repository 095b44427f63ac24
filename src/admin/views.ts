import type { FleetView } from '../link/fleet/fleet.js'
import type { RunView } from '../analysis/runner.js'
import { noHealth, type HealthView } from '../pool/health-view.js'
import { allowedVerbs, verbsNotAllowed } from '../rollout/verbs.js'
import type { Drift } from '../rollout/drift.js'
import type { HistoryEntry, RolloutState } from '../rollout/types.js'
import type { TableSpec } from '../routing/spec.js'
import { bpToPercent } from '../routing/weight.js'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())


/**
 * `GET /api/v1/status`: the short summary, `table` being the one the driver last published (its first fields are the data-plane issue's shape).
 * `panic`: no version has an available backend, so traffic goes by weight to every backend.
 */
export function statusView(state: RolloutState, table: TableSpec, health: HealthView = noHealth, fleet?: FleetView) {
  return {
    phase: state.phase,
    reason: state.reason,
    message: state.message,
    mode: table.mode,
    weight: bpToPercent(table.weightBp),
    step: state.stepIndex,
    stable: { name: state.stable.name, backends: state.stable.backends },
    canary: state.canary === null ? null : { name: state.canary.name, backends: state.canary.backends },
    panic: health.panic,
    ...(fleet === undefined ? {} : { fleet }),
  }
}

export type AnalysisView = { current: RunView[]; last: RunView[] }

/**
 * `GET /api/v1/rollout`: the whole state, with times as ISO strings and the step list marked,
 * the health of every backend of the table's versions, and where the state resumed at start
 * differs from the config (until the rollout next changes).
 */
export function rolloutView(state: RolloutState, table: TableSpec, analysis: AnalysisView = { current: [], last: [] }, health: HealthView = noHealth, drift: readonly Drift[] = [], fleet?: FleetView) {
  const steps = state.strategy.type === 'canary'
    ? state.strategy.steps.map((step, i) => ({ index: i, step, current: i === state.stepIndex, done: i < state.stepIndex }))
    : []
  return {
    ...statusView(state, table, health, fleet),
    revision: state.revision,
    desiredWeight: bpToPercent(state.weightBp),
    allowed: allowedVerbs(state),
    notAllowed: verbsNotAllowed(state),
    strategy: state.strategy,
    steps,
    stepCount: steps.length,
    canaryReady: state.canaryReady,
    previousStable: state.previousStable,
    pauseUntil: iso(state.pauseUntil),
    progressDeadlineAt: iso(state.progressDeadlineAt),
    scaleDownAt: iso(state.scaleDownAt),
    attempt: state.attempt,
    options: state.options,
    abort: state.abort === null ? null : { ...state.abort, at: iso(state.abort.at) },
    analysis: {
      runs: (state.analysisRuns ?? []).map((r) => ({ ...r, startedAt: new Date(r.startedAt).toISOString() })),
      lastVerdict: state.lastAnalysis === undefined || state.lastAnalysis === null ? null : { ...state.lastAnalysis, at: new Date(state.lastAnalysis.at).toISOString() },
      current: analysis.current,
      last: analysis.last,
    },
    routing: { mode: table.mode, stable: table.stable.name, canary: table.canary?.name ?? null, weight: bpToPercent(table.weightBp), routes: table.routes, mirror: table.mirror },
    health,
    startedAt: iso(state.startedAt),
    updatedAt: iso(state.updatedAt),
    finishedAt: iso(state.finishedAt),
    stateVsConfig: drift,
  }
}

export function historyView(entry: HistoryEntry) {
  return { ...entry, at: new Date(entry.at).toISOString() }
}
