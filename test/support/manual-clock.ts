import type { Clock } from '../../src/clock.js'

/** A clock that moves only when told: `advance` fires every timer that falls due, in order. */
export function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)): Clock & { advance(ms: number): void } {
  let now = start
  const timers = new Set<{ at: number; fn: () => void }>()
  return {
    now: () => now,
    at(at, fn) {
      const timer = { at, fn }
      timers.add(timer)
      return () => { timers.delete(timer) }
    },
    advance(ms) {
      now += ms
      for (const t of [...timers].sort((a, b) => a.at - b.at)) {
        if (t.at <= now && timers.delete(t)) t.fn()
      }
    },
  }
}
