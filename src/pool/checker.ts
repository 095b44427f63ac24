import type { Clock } from '../clock.js'
import type { ProbeAnswer } from './probe.js'

export interface CheckerOptions {
  clock: Clock
  random: () => number
  intervalMs: number
  /** Each interval is stretched by up to this fraction. */
  jitter: number
  /** One check of the backend; never throws. */
  probe: () => Promise<ProbeAnswer>
  onResult: (answer: ProbeAnswer) => void
}

export interface Checker {
  stop(): void
}

/**
 * Checks one backend for as long as it is followed. The first check comes within the first
 * `jitter` of an interval (so a table of many backends is not checked all at once), then one
 * check an interval (stretched by up to `jitter`) after the previous one answered, so a slow
 * backend is never checked twice at once. Time comes from the clock, so tests move it.
 */
export function startChecker(opts: CheckerOptions): Checker {
  let stopped = false
  let cancel: (() => void) | null = null
  const schedule = (delay: number): void => {
    cancel = opts.clock.at(opts.clock.now() + delay, () => void check())
  }
  const check = async (): Promise<void> => {
    cancel = null
    const answer = await opts.probe()
    if (stopped) return
    opts.onResult(answer)
    if (!stopped) schedule(opts.intervalMs * (1 + opts.jitter * opts.random()))
  }
  schedule(opts.intervalMs * opts.jitter * opts.random())
  return {
    stop() {
      stopped = true
      cancel?.()
    },
  }
}
