import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffDelay } from '../../src/proxy/backoff.js'

const fixed = (x: number) => () => x

// The worked example of backoff.ts: base 25 ms, cap 250 ms. [retry, random(), delay]
const rows: Array<[number, number, number]> = [
  [1, 0, 0],
  [1, 0.5, 12.5],
  [1, 0.999, 24.975],
  [2, 0.5, 25],
  [3, 0.999, 99.9],
  [4, 0.5, 100],
  [5, 0.999, 249.75], // 25 * 2^4 = 400, capped at 250
  [9, 0.5, 125], // still the cap, not 25 * 2^8
]

for (const [retry, r, delay] of rows) {
  test(`retry ${retry} with random ${r} waits ${delay} ms`, () => {
    assert.ok(Math.abs(backoffDelay(retry, 25, 250, fixed(r)) - delay) < 1e-9)
  })
}

test('every delay lies in [0, min(cap, base * 2^(retry-1))) for random in [0, 1)', () => {
  for (let retry = 1; retry <= 10; retry++) {
    const ceiling = Math.min(250, 25 * 2 ** (retry - 1))
    for (const r of [0, 0.1, 0.5, 0.9, 1 - Number.EPSILON]) {
      const d = backoffDelay(retry, 25, 250, fixed(r))
      assert.ok(d >= 0 && d < ceiling, `retry ${retry}, random ${r}: ${d} outside [0, ${ceiling})`)
    }
  }
})

test('a base of 0 never waits', () => {
  assert.equal(backoffDelay(3, 0, 250, fixed(0.9)), 0)
})
