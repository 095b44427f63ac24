import assert from 'node:assert/strict'
import { test } from 'node:test'
import { grpcPushbackMs } from '../../src/grpc/pushback.js'

// [value, expected]: a wait in ms, null for "do not retry", undefined for "said nothing"
const cases: Array<[string | undefined, number | null | undefined]> = [
  [undefined, undefined],
  ['250', 250],
  ['0', 0],
  ['-1', null],
  ['soon', null],
  ['', null],
  ['1.5', null],
  ['12345678901', null],
]

for (const [value, expected] of cases) {
  test(`pushback ${JSON.stringify(value)} is ${String(expected)}`, () => {
    assert.equal(grpcPushbackMs(value), expected)
  })
}
