import assert from 'node:assert/strict'
import { test } from 'node:test'
import { grpcPushbackMs } from '../../src/grpc/pushback.js'

// [fields, expected]: a wait in ms, null for "do not retry", undefined for "said nothing"
const cases: Array<[string[], number | null | undefined]> = [
  [['grpc-status', '14'], undefined],
  [['grpc-status', '14', 'grpc-retry-pushback-ms', '250'], 250],
  [['Grpc-Retry-Pushback-Ms', '0'], 0],
  [['grpc-retry-pushback-ms', '-1'], null],
  [['grpc-retry-pushback-ms', 'soon'], null],
  [['grpc-retry-pushback-ms', ''], null],
  [['grpc-retry-pushback-ms', '1.5'], null],
  [['grpc-retry-pushback-ms', '12345678901'], null],
]

for (const [fields, expected] of cases) {
  test(`pushback ${JSON.stringify(fields)} is ${String(expected)}`, () => {
    assert.equal(grpcPushbackMs(fields), expected)
  })
}
