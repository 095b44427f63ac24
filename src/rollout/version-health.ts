import { begin, NOOP, type Outcome } from './draft.js'
import { formatMessage } from './messages.js'
import { tabledCanary } from './table-of.js'
import type { EngineEvent, HistoryEntry, Phase, RolloutState, VersionSpec } from './types.js'

export function unavailableOf(s: RolloutState): readonly string[] {
  return s.unavailable ?? []
}

/**
 * The health monitor says a version of the table lost its last available backend, or got
 * one back. `s` is the state beneath any Degraded overlay and `shown` the phase it showed.
 * Only `unavailable` changes here, with one history entry; `withVersionHealth` then shows
 * Degraded while the stable is in it. The data plane already acted (a version with no
 * available backend gets weight 0: src/routing/fallback.ts); the engine records it, and a
 * canary that is down does not abort by itself: its analysis counts the requests it missed.
 * A version outside the table, or news the state already has, changes nothing.
 */
export function versionHealth(s: RolloutState, shown: Phase, ev: Extract<EngineEvent, { type: 'versionHealth' }>, now: number): Outcome {
  const canary = tabledCanary(s)
  const inTable = s.stable.name === ev.version || canary?.name === ev.version
  const was = unavailableOf(s)
  if (!inTable || was.includes(ev.version) === !ev.available) return NOOP
  const next: RolloutState = { ...s, unavailable: ev.available ? was.filter((v) => v !== ev.version) : [...was, ev.version] }
  const entry: HistoryEntry = {
    at: now,
    event: 'versionHealth',
    actor: 'ramp',
    from: shown,
    to: stableDown(next) ? 'Degraded' : next.phase,
    detail: healthDetail(next, s.stable, canary, ev),
  }
  return { ...begin(s), state: next, entries: [entry] }
}

/**
 * What every reduce ends with: `unavailable` keeps only versions still in the table (one
 * that leaves stops being checked and returns healthy), and while the stable is in it the
 * phase shows Degraded (StableUnavailable) over the one beneath, which `degradedFrom` keeps
 * and gives back once the stable recovers. A timed pause, a deadline or a verb still act on
 * the phase beneath meanwhile.
 */
export function withVersionHealth(next: RolloutState): RolloutState {
  const canary = tabledCanary(next)
  const was = unavailableOf(next)
  const kept = was.filter((v) => v === next.stable.name || v === canary?.name)
  const s = kept.length === was.length ? next : { ...next, unavailable: kept }
  if (!stableDown(s)) return s
  const degraded: RolloutState = { ...s, phase: 'Degraded', reason: 'StableUnavailable', degradedFrom: { phase: s.phase, reason: s.reason, message: s.message } }
  return { ...degraded, message: formatMessage(degraded, 'ramp') }
}

function stableDown(s: RolloutState): boolean {
  return unavailableOf(s).includes(s.stable.name)
}

/**
 * "v2 (canary) has no available backend: its share goes to v1 and counts as failed requests
 * in its analysis", "v1 (stable) has no available backend, nor has v2: panic, ...",
 * "v1 (stable) has an available backend again".
 */
function healthDetail(s: RolloutState, stable: Pick<VersionSpec, 'name'>, canary: Pick<VersionSpec, 'name'> | null, ev: { version: string; available: boolean }): string {
  const down = unavailableOf(s)
  const role = ev.version === stable.name ? 'stable' : 'canary'
  const other = role === 'stable' ? canary : stable
  const otherDown = other === null || down.includes(other.name)
  const who = `${ev.version} (${role})`
  if (ev.available) return `${who} has an available backend again${other !== null && otherDown ? `; ${other.name} still has none` : ''}`
  if (otherDown) return `${who} has no available backend${other === null ? '' : `, nor has ${other.name}`}: panic, traffic goes by weight to every backend as if healthy`
  return role === 'stable'
    ? `${who} has no available backend: main traffic goes to ${other.name} while that lasts`
    : `${who} has no available backend: its share goes to ${other.name} and counts as failed requests in its analysis`
}
