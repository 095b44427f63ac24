import assert from 'node:assert/strict'
import { test } from 'node:test'
import { restartDelayMs, stableAfterMs } from '../../src/link/restart-backoff.js'

test('a worker that dies young waits 100 ms, then twice as long each time, up to 10 s', () => {
  const waits: number[] = []
  let last = 0
  for (let i = 0; i < 10; i++) {
    last = restartDelayMs(last, 50)
    waits.push(last)
  }
  assert.deepEqual(waits, [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000])
})

test('a worker that had served a while before it died is replaced after 100 ms, whatever came before', () => {
  assert.equal(restartDelayMs(10_000, stableAfterMs), 100)
  assert.equal(restartDelayMs(0, stableAfterMs + 1), 100)
  assert.equal(restartDelayMs(10_000, stableAfterMs - 1), 10_000, 'just short of it: still backing off')
})
