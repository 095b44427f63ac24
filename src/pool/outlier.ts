import type { Config } from '../config/load.js'

export type OutlierRules = Config['outlier']

/** What one upstream attempt said about its backend. */
export type Outcome = 'success' | '5xx' | 'connect'

/**
 * Passive ejection of one backend, counted from the answers real requests get. Mutable and
 * changed in place: it is updated on every response, which must not allocate.
 */
export interface OutlierState {
  consecutive5xx: number
  consecutiveConnectFailures: number
  /** Ejections so far; the next one lasts `baseEjectionMs` times this plus one, capped. */
  ejections: number
  /** Epoch ms the current ejection ends; null while not ejected. */
  ejectedUntil: number | null
  /** When the last ejection ended; null before the first. */
  returnedAt: number | null
}

export function freshOutlier(): OutlierState {
  return { consecutive5xx: 0, consecutiveConnectFailures: 0, ejections: 0, ejectedUntil: null, returnedAt: null }
}

/** The n-th ejection: base × n, capped. With base 10 s and cap 300 s: 10 s, 20 s, 30 s, ... 300 s from the 30th on. */
export function ejectionMs(n: number, rules: OutlierRules): number {
  return Math.min(rules.baseEjectionMs * n, rules.maxEjectionMs)
}

/**
 * Counts one outcome and ejects the backend when a threshold is reached:
 *
 * - a success (any status below 500) resets both counters;
 * - a 5xx (a response, or a timeout or bad response ramp answers 504/502 for) counts toward
 *   `consecutive5xx` and resets the connect count, since the backend did take the connection;
 * - a connect failure or reset counts toward `consecutiveConnectFailures`.
 *
 * `others` is how many other backends of the version are available. With none the backend
 * is spared (`'spared'`): ejecting the last one would empty the version, and a version with
 * no backend is worse off than one with a failing backend. The counters are kept, so the
 * next failure after another backend returns ejects it.
 *
 * A backend that stayed in for `maxEjectionMs` since its last ejection ended counts its
 * ejections from one again, so a blip a day does not earn the longest ejection for good.
 * While ejected, outcomes are not counted: they are answers to requests picked before the
 * ejection, or taken in panic mode, and say nothing the ejection did not.
 */
export function observeOutcome(s: OutlierState, outcome: Outcome, rules: OutlierRules, others: number, now: number): 'ejected' | 'spared' | null {
  if (!rules.enabled || s.ejectedUntil !== null) return null
  if (outcome === 'success') {
    s.consecutive5xx = 0
    s.consecutiveConnectFailures = 0
    return null
  }
  if (outcome === '5xx') {
    s.consecutive5xx++
    s.consecutiveConnectFailures = 0
  } else {
    s.consecutiveConnectFailures++
  }
  if (s.consecutive5xx < rules.consecutive5xx && s.consecutiveConnectFailures < rules.consecutiveConnectFailures) return null
  if (others === 0) return 'spared'
  if (s.returnedAt !== null && now - s.returnedAt >= rules.maxEjectionMs) s.ejections = 0
  s.ejections++
  s.ejectedUntil = now + ejectionMs(s.ejections, rules)
  return 'ejected'
}

/** The ejection is over (its time is up, or active checks brought the backend back): counting starts afresh. */
export function endEjection(s: OutlierState, now: number): void {
  s.ejectedUntil = null
  s.returnedAt = now
  s.consecutive5xx = 0
  s.consecutiveConnectFailures = 0
}
