/**
 * Time for the driver, injectable so tests move it by hand instead of sleeping. The engine
 * never sees a clock: the driver reads `now()` and passes it in with each event.
 */
export interface Clock {
  now(): number
  /** Calls `fn` at (or soon after) epoch ms `at`; returns a cancel function. */
  at(at: number, fn: () => void): () => void
}

/** Node timers cap at about 24.8 days; longer waits re-arm in steps. */
const maxDelay = 2 ** 31 - 1

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let handle: ReturnType<typeof setTimeout>
    const arm = (): void => {
      const delay = Math.max(0, at - Date.now())
      handle = setTimeout(delay > maxDelay ? arm : fn, Math.min(delay, maxDelay))
      handle.unref()
    }
    arm()
    return () => clearTimeout(handle)
  },
}
