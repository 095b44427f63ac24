/**
 * Slow start: a backend that comes back takes a share of its fair traffic that grows with
 * the time since it returned, in steps, from 1/20 to all of it over `slowStartMs`.
 *
 * The share is a number on the backend that a timer raises step by step, so the per-request
 * cost is one comparison (and one draw while it is below 1; see p2c.ts): no clock is read
 * on the request path. With slowStartMs 10 000 the steps are 500 ms apart and the share
 * reads 0.05 at the return, 0.5 after 5 s and 1 after 10 s.
 */
export const slowStartSteps = 20

/** Never more often than every 50 ms: a finer ramp buys nothing and costs timers. */
export function slowStartStepMs(slowStartMs: number): number {
  return Math.max(50, Math.ceil(slowStartMs / slowStartSteps))
}

/** The share `elapsedMs` after the return; at least the first step's, so it is never 0. */
export function slowStartShare(elapsedMs: number, slowStartMs: number): number {
  if (slowStartMs <= 0) return 1
  return Math.min(1, Math.max(elapsedMs, slowStartStepMs(slowStartMs)) / slowStartMs)
}
