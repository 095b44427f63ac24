import assert from 'node:assert/strict'
import { test } from 'node:test'
import { timerClock } from '../src/clock.js'

/** Timers under test control: `fire()` runs the pending callback whatever the time says. */
function fakeTimers(start: number) {
  let now = start
  let pending: { fn: () => void; ms: number } | null = null
  return {
    timers: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => { pending = { fn, ms }; return pending },
      clearTimeout: () => { pending = null },
    },
    advance: (ms: number) => { now += ms },
    fire: () => { const p = pending; pending = null; p?.fn() },
    pending: () => pending,
  }
}

test('regression: a timer that fires before its deadline (stale loop time) re-arms instead of calling back early', () => {
  const f = fakeTimers(1000)
  let called = 0
  timerClock(f.timers).at(2000, () => { called++ })
  assert.equal(f.pending()?.ms, 1000)
  f.advance(995)
  f.fire()
  assert.equal(called, 0, 'not called 5 ms early')
  assert.equal(f.pending()?.ms, 5, 're-armed for the rest')
  f.advance(5)
  f.fire()
  assert.equal(called, 1)
})

test('a deadline already past calls back at once; cancel stops a pending one', () => {
  const f = fakeTimers(5000)
  let called = 0
  timerClock(f.timers).at(4000, () => { called++ })
  assert.equal(called, 1)
  const cancel = timerClock(f.timers).at(6000, () => { called++ })
  cancel()
  f.advance(2000)
  f.fire()
  assert.equal(called, 1)
})

test('a wait longer than Node\'s timer limit is armed in steps', () => {
  const f = fakeTimers(0)
  timerClock(f.timers).at(40 * 24 * 3600 * 1000, () => undefined)
  assert.equal(f.pending()?.ms, 2 ** 31 - 1)
})
