import { changeDetail, formatMessage } from './messages.js'
import { probing } from './phase.js'
import { runsOf } from './runs.js'
import { sameTable, tableOf } from './table-of.js'
import type { Effect, EngineError, HistoryEntry, RolloutState } from './types.js'
import { nextWakeAt } from './wake.js'

/**
 * A reduce in the making: the state after the transitions so far and one history entry for
 * each. A single event can make several transitions (supersede is an abort then a start; a
 * late tick can end a pause and then a scale-down window), but it is persisted once.
 */
export interface Draft {
  state: RolloutState
  entries: HistoryEntry[]
  /** The canary's readiness must be probed from scratch: a new attempt began, or a waiting canary's backends changed. */
  started: boolean
  /** Runs that ended by their own verdict: gone from the state, but with nothing to stop. */
  finished?: readonly string[]
}

export const NOOP = 'noop'

/** What a handler decides: transitions, nothing to do, or a refusal. */
export type Outcome = Draft | typeof NOOP | { refused: EngineError }

export function begin(state: RolloutState): Draft {
  return { state, entries: [], started: false }
}

export interface How {
  now: number
  /** The history entry's `event`: 'promote', 'tick:pauseElapsed', ... */
  event: string
  actor: string
  lead?: string
  /** Keeps a message the new state cannot rebuild (a hold names an actor no longer at hand). */
  message?: string
  detail?: string
}

/** Appends one transition to `next`; the handlers' state builders leave `message` to this. */
export function move(d: Draft, next: RolloutState, how: How): Draft {
  const state = { ...next, message: how.message ?? formatMessage(next, how.actor) }
  const entry: HistoryEntry = {
    at: how.now,
    event: how.event,
    actor: how.actor,
    from: d.state.phase,
    to: state.phase,
    detail: how.detail ?? changeDetail(d.state, state, how.lead),
  }
  return { ...d, state, entries: [...d.entries, entry] }
}

/**
 * Stamps the final state and derives the effects by comparing it with the state before:
 * publish only when the routing table differs, a timer only when the wake-up time moved, so
 * a pause that changes nothing the data plane sees costs no table swap; a stopAnalysis for
 * every run that left `analysisRuns` without a verdict, a startAnalysis for every new one. A
 * run started and dropped within one reduce never reaches the driver. Runs stop first (before
 * a superseding attempt's probe, and before the table changes: an aborted canary's run must
 * not judge the rollback) and start after the publish (a step's run measures its weight).
 */
export function commit(before: RolloutState, d: Draft, now: number): { state: RolloutState; effects: Effect[] } {
  const state: RolloutState = { ...d.state, revision: before.revision + 1, updatedAt: now }
  const effects: Effect[] = d.entries.map((entry) => ({ type: 'record', entry }))
  const was = runsOf(before)
  const is = runsOf(state)
  const finished = new Set(d.finished ?? [])
  for (const r of was) if (!finished.has(r.id) && !is.some((x) => x.id === r.id)) effects.push({ type: 'stopAnalysis', id: r.id })
  // A superseded attempt that was still probing is stopped before its successor's probe starts.
  if (probing(before) && (!probing(state) || d.started)) effects.push({ type: 'stopReadiness' })
  if (d.started && state.canary !== null) {
    effects.push({ type: 'probeReadiness', version: { name: state.canary.name, backends: [...state.canary.backends] } })
  }
  const table = tableOf(state)
  if (!sameTable(tableOf(before), table)) effects.push({ type: 'publish', table })
  for (const r of is) if (!was.some((x) => x.id === r.id)) effects.push({ type: 'startAnalysis', run: { ...r, templates: [...r.templates] } })
  const wake = nextWakeAt(state)
  if (wake !== nextWakeAt(before)) effects.push({ type: 'timer', at: wake })
  return { state, effects }
}
