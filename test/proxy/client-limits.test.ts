import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkingIntervalMs } from '../../src/proxy/client-limits.js'

// A tenth of the shortest of the two limits, between 10 ms and 1 s.
const rows: ReadonlyArray<{ headersTimeoutMs: number; requestTimeoutMs: number; interval: number }> = [
  { headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, interval: 1000 },
  { headersTimeoutMs: 60_000, requestTimeoutMs: 0, interval: 1000 },
  { headersTimeoutMs: 300, requestTimeoutMs: 0, interval: 30 },
  { headersTimeoutMs: 10_000, requestTimeoutMs: 500, interval: 50 },
  { headersTimeoutMs: 50, requestTimeoutMs: 300_000, interval: 10 },
  { headersTimeoutMs: 1, requestTimeoutMs: 0, interval: 10 },
]

for (const row of rows) {
  test(`Node checks late requests every ${row.interval} ms for headers ${row.headersTimeoutMs} ms, request ${row.requestTimeoutMs} ms`, () => {
    assert.equal(checkingIntervalMs(row), row.interval)
  })
}
