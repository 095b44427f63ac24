/**
 * The thresholds of active health checks, as a pure state machine: `unhealthyThreshold`
 * failed checks in a row take a backend out, `healthyThreshold` passed checks in a row bring
 * it back. A backend starts healthy: the canary answered its readiness probe before it
 * entered the table, and holding a stable out until its first checks pass would refuse
 * traffic at every start.
 */
export interface CheckState {
  readonly healthy: boolean
  /** Checks passed in a row (reset by a failure, and by an ejection: see health.ts). */
  readonly passes: number
  /** Checks failed in a row (reset by a pass). */
  readonly failures: number
}

export interface Thresholds {
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
}

export const freshCheck: CheckState = { healthy: true, passes: 0, failures: 0 }

export function afterCheck(s: CheckState, ok: boolean, t: Thresholds): CheckState {
  if (ok) {
    const passes = s.passes + 1
    return { healthy: s.healthy || passes >= t.healthyThreshold, passes, failures: 0 }
  }
  const failures = s.failures + 1
  return { healthy: s.healthy && failures < t.unhealthyThreshold, passes: 0, failures }
}

/** `"200"` accepts 200 only, `"200-399"` every status from 200 to 399. */
export function statusAccepter(expected: string): (status: number) => boolean {
  const [low, high = low] = expected.split('-').map(Number) as [number, number?]
  return (status) => status >= low && status <= high
}
