/**
 * Time for the driver, injectable so tests move it by hand instead of sleeping. The engine
 * never sees a clock: the driver reads `now()` and passes it in with each event.
 */
export interface Clock {
  now(): number
  /** Calls `fn` once `now()` has reached epoch ms `at`; returns a cancel function. */
  at(at: number, fn: () => void): () => void
}

export interface Timers {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Node timers cap at about 24.8 days; longer waits re-arm in steps. */
const maxDelay = 2 ** 31 - 1

/**
 * A clock over real timers. A timer is measured against the event loop's cached time, which
 * lags the wall clock while a busy loop iteration runs, so it can fire a few milliseconds
 * before `Date.now()` reaches its deadline. The engine would then see nothing due and set no
 * new timer, and the rollout would wait forever; so a timer that fires early re-arms for
 * the rest instead of calling back.
 */
export function timerClock(timers: Timers): Clock {
  return {
    now: () => timers.now(),
    at(at, fn) {
      let handle: unknown
      let cancelled = false
      const arm = (): void => {
        if (cancelled) return
        const delay = at - timers.now()
        if (delay <= 0) return fn()
        handle = timers.setTimeout(arm, Math.min(delay, maxDelay))
      }
      arm()
      return () => {
        cancelled = true
        timers.clearTimeout(handle)
      }
    },
  }
}

export const systemClock: Clock = timerClock({
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
})
