import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RetryBudget } from '../../src/proxy/retry-budget.js'

/** How many retries a budget lets into flight at once with `requests` in flight. */
function admitted(ratio: number, minConcurrent: number, requests: number): number {
  const budget = new RetryBudget()
  for (let i = 0; i < requests; i++) budget.requestStarted()
  let n = 0
  while (n <= requests && budget.take(ratio, minConcurrent)) n++
  return n
}

// The worked example of retry-budget.ts and its edges. [ratio, minConcurrent, requests in flight, retries admitted]
const rows: Array<[number, number, number, number]> = [
  [0.2, 3, 5, 3],
  [0.2, 3, 20, 4],
  [0.2, 3, 52, 10],
  [0.2, 0, 4, 0],
  [0, 2, 100, 2],
  [1, 0, 7, 7],
]

for (const [ratio, min, requests, retries] of rows) {
  test(`ratio ${ratio}, minConcurrent ${min}, ${requests} requests in flight: ${retries} retries in flight`, () => {
    assert.equal(admitted(ratio, min, requests), retries)
  })
}

test('a slot given back can be taken again; fewer requests in flight shrink the budget', () => {
  const budget = new RetryBudget()
  const take = (): boolean => budget.take(0.5, 0)
  for (let i = 0; i < 4; i++) budget.requestStarted()
  assert.ok(take())
  assert.ok(take())
  assert.equal(take(), false)
  budget.give()
  assert.ok(take())
  budget.requestEnded()
  budget.requestEnded()
  budget.give()
  assert.equal(take(), false, 'one retry still in flight is already half of two requests')
})
