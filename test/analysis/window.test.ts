import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bucketIndex } from '../../src/analysis/histogram.js'
import { Measurements } from '../../src/analysis/window.js'
import type { UpstreamReason } from '../../src/upstream-reason.js'

const T0 = Date.UTC(2026, 0, 1, 12, 3, 0)
const s = (n: number): number => n * 1000

describe('counts', () => {
  test('by status class and upstream reason; a failure ramp answered is 5xx and an upstream error, counted once as an error', () => {
    const m = new Measurements()
    const rows: Array<[number, UpstreamReason | undefined]> = [
      [200, undefined], [201, undefined], [101, undefined], [302, undefined], [404, undefined], [499, undefined],
      [500, undefined], [502, 'connect'], [502, 'tls'], [502, 'reset'], [504, 'timeout'], [502, 'bad_response'], [503, 'no_backend'],
      [200, 'reset'], // the body was lost after the status was sent
      [700, undefined], // outside 100..599: the proxy failed it
    ]
    for (const [code, reason] of rows) m.record('main', 'v2', code, 5, reason, T0)
    const w = m.window('main', 'v2', T0, T0 + s(1))
    assert.equal(w.requests, 15)
    assert.deepEqual(w.byClass, { '1xx': 1, '2xx': 3, '3xx': 1, '4xx': 2, '5xx': 8 })
    assert.deepEqual(w.upstreamErrors, { connect: 1, tls: 1, reset: 2, timeout: 1, bad_response: 1, no_backend: 1 })
    assert.equal(w.errors, 9)
    assert.equal(w.errorRate(), 9 / 15)
    assert.equal(w.successRate(), 6 / 15)
  })

  test('listeners and versions are separate series', () => {
    const m = new Measurements()
    m.record('main', 'v1', 200, 5, undefined, T0)
    m.record('main', 'v2', 500, 5, undefined, T0)
    m.record('preview', 'v2', 200, 5, undefined, T0)
    m.record('preview', 'v2', 200, 5, undefined, T0)
    const read = (l: string, v: string): number => m.window(l, v, T0, T0 + s(1)).requests
    assert.deepEqual([read('main', 'v1'), read('main', 'v2'), read('preview', 'v2'), read('preview', 'v1')], [1, 1, 2, 0])
  })

  test('an empty window has no rates and no quantiles, and a request rate of 0', () => {
    const w = new Measurements().window('main', 'v2', T0, T0 + s(10))
    assert.deepEqual([w.requests, w.errorRate(), w.successRate(), w.quantile(0.99), w.requestRate()], [0, null, null, null, 0])
  })

  test('quantile outside 0..1 is a programming error', () => {
    assert.throws(() => new Measurements().window('main', 'v2', T0, T0 + 1).quantile(99), RangeError)
  })
})

describe('sliding windows', () => {
  test('the worked example: [12:03:00.500, 12:03:10.500) reads 11 slots over 10.5 s', () => {
    const m = new Measurements()
    for (let t = T0; t < T0 + s(10.5); t += 10) m.record('main', 'v2', 200, 5, undefined, t) // 100 per second
    const w = m.window('main', 'v2', T0 + 500, T0 + s(10.5))
    assert.equal(w.fromMs, T0)
    assert.equal(w.spanMs, 10_500)
    assert.equal(w.requests, 1050)
    assert.equal(w.requestRate(), 100)
  })

  test('a window on slot edges reads exactly its slots', () => {
    const m = new Measurements()
    for (let i = 0; i < 20; i++) m.record('main', 'v2', 200, 5, undefined, T0 + s(i))
    const w = m.window('main', 'v2', T0 + s(5), T0 + s(15))
    assert.deepEqual([w.requests, w.spanMs], [10, 10_000])
  })

  // [name, record at (s after T0), read [from, to) (s after T0), requests seen]
  const rows: Array<[string, number[], [number, number], number]> = [
    ['a sample before the window is left out', [0, 20], [10, 30], 1],
    ['the current slot counts up to now', [29.9], [20, 30], 1],
    ['a sample at the window end is after it', [30], [20, 30], 0],
    ['samples older than ten minutes are gone once the ring passes them', [0, 1, 601, 602], [0, 603], 2],
    ['a window longer than the ring keeps its newest slots', [0, 400, 700], [0, 800], 2],
  ]
  for (const [name, at, [from, to], seen] of rows) {
    test(name, () => {
      const m = new Measurements()
      for (const t of at) m.record('main', 'v2', 200, 5, undefined, T0 + s(t))
      assert.equal(m.window('main', 'v2', T0 + s(from), T0 + s(to)).requests, seen)
    })
  }

  test('old slots drop out as now moves', () => {
    const m = new Measurements()
    m.record('main', 'v2', 500, 5, undefined, T0)
    const errorRateAt = (now: number): number | null => m.window('main', 'v2', now - s(10), now).errorRate()
    assert.equal(errorRateAt(T0 + s(5)), 1)
    m.record('main', 'v2', 200, 5, undefined, T0 + s(9))
    assert.equal(errorRateAt(T0 + s(10)), 0.5)
    assert.equal(errorRateAt(T0 + s(11)), 0)
    assert.equal(errorRateAt(T0 + s(20)), null)
  })

  test('a slot reused by the ring starts from zero', () => {
    const m = new Measurements({ slotMs: 1000, retentionMs: 10_000 })
    m.record('main', 'v2', 500, 5, undefined, T0)
    m.record('main', 'v2', 200, 7, undefined, T0 + s(11)) // 11 slots later: the same ring position
    const w = m.window('main', 'v2', T0, T0 + s(12))
    assert.deepEqual([w.requests, w.byClass['5xx'], bucketIndex(w.quantile(1) as number)], [1, 0, bucketIndex(7)])
  })

  test('a sample older than the ring is dropped, not written over a newer slot', () => {
    const m = new Measurements({ slotMs: 1000, retentionMs: 10_000 })
    m.record('main', 'v2', 200, 5, undefined, T0 + s(11))
    m.record('main', 'v2', 500, 5, undefined, T0) // a late report for a slot the ring has moved past
    const w = m.window('main', 'v2', T0, T0 + s(12))
    assert.deepEqual([w.requests, w.errors], [1, 0])
  })

  test('an empty or inverted window reads nothing', () => {
    const m = new Measurements()
    m.record('main', 'v2', 200, 5, undefined, T0)
    assert.deepEqual([m.window('main', 'v2', T0, T0).requests, m.window('main', 'v2', T0 + 1, T0).requests], [0, 0])
  })
})

describe('memory', () => {
  test('recording 1e6 samples does not grow the structure', () => {
    const m = new Measurements()
    m.record('main', 'v2', 200, 1, undefined, T0)
    const size = m.sizeBytes()
    // 601 slots of 155 four-byte counters, and the slot number each ring position holds.
    assert.equal(size, 601 * 155 * 4 + 601 * 8)
    for (let i = 0; i < 1e6; i++) {
      // 1.2 ms apart: 20 minutes of traffic, so the ring wraps twice, over every latency bucket.
      m.record('main', 'v2', i % 7 === 0 ? 503 : 200, (i % 70_000) + 0.05, i % 11 === 0 ? 'no_backend' : undefined, T0 + i * 1.2)
    }
    assert.equal(m.sizeBytes(), size)
    assert.ok(m.window('main', 'v2', T0 + 1.2e6 - s(600), T0 + 1.2e6).requests > 0)
  })

  test('reading an unknown series allocates no ring; forget drops a version on every listener', () => {
    const m = new Measurements()
    m.window('main', 'v9', T0, T0 + s(10))
    assert.equal(m.sizeBytes(), 0)
    m.record('main', 'v1', 200, 1, undefined, T0)
    m.record('main', 'v2', 200, 1, undefined, T0)
    m.record('preview', 'v2', 200, 1, undefined, T0)
    const one = m.sizeBytes() / 3
    m.forget('v2')
    assert.equal(m.sizeBytes(), one)
    assert.equal(m.window('preview', 'v2', T0, T0 + s(1)).requests, 0)
  })
})
