import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Measurements } from '../../src/analysis/window.js'

const T0 = Date.UTC(2026, 0, 1, 12, 3, 0)
const s = (n: number): number => n * 1000

/** Records `n` responses of `code` taking `ms`, one per 10 ms from `at`. */
function record(m: Measurements, version: string, n: number, code: number, ms: number, at: number): void {
  for (let i = 0; i < n; i++) m.record('main', version, code, ms, code >= 500 ? 'reset' : undefined, at + i * 10)
}

describe('rows taken by workers and added by the primary', () => {
  test('the primary\'s window over two workers\' rows reads as if one process had recorded everything', () => {
    const alone = new Measurements()
    const workers = [new Measurements({ retentionMs: s(10) }), new Measurements({ retentionMs: s(10) })]
    const primary = new Measurements()
    const plan: Array<[number, string, number, number, number, number]> = [
      [0, 'v1', 40, 200, 5, T0], [1, 'v1', 35, 200, 80, T0 + 200], [0, 'v2', 7, 503, 12, T0 + 1500], [1, 'v2', 20, 200, 3, T0 + 2100],
    ]
    for (const [w, version, n, code, ms, at] of plan) {
      record(workers[w] as Measurements, version, n, code, ms, at)
      record(alone, version, n, code, ms, at)
    }
    for (const w of workers) primary.add(w.take())
    for (const version of ['v1', 'v2']) {
      const a = alone.window('main', version, T0, T0 + s(3))
      const p = primary.window('main', version, T0, T0 + s(3))
      assert.equal(p.requests, a.requests, version)
      assert.deepEqual(p.byClass, a.byClass, version)
      assert.deepEqual(p.upstreamErrors, a.upstreamErrors, version)
      assert.equal(p.quantile(0.5), a.quantile(0.5), version)
      assert.equal(p.quantile(0.99), a.quantile(0.99), version)
    }
  })

  test('a take forgets what it returned: the next one holds only what was recorded since, added to the same slot', () => {
    const worker = new Measurements({ retentionMs: s(10) })
    const primary = new Measurements()
    record(worker, 'v1', 3, 200, 5, T0)
    primary.add(worker.take())
    assert.deepEqual(worker.take(), [], 'nothing new')
    record(worker, 'v1', 2, 200, 5, T0 + 500)
    const second = worker.take()
    assert.equal(second.length, 1)
    primary.add(second)
    assert.equal(primary.window('main', 'v1', T0, T0 + s(1)).requests, 5)
  })

  test('a row older than the primary\'s ring is dropped, as a late sample is', () => {
    const primary = new Measurements({ retentionMs: s(5) })
    record(primary, 'v1', 1, 200, 5, T0 + s(20))
    const worker = new Measurements({ retentionMs: s(60) })
    record(worker, 'v1', 4, 200, 5, T0 + s(14))
    primary.add(worker.take())
    assert.equal(primary.window('main', 'v1', T0 + s(10), T0 + s(21)).requests, 1)
  })
})

describe('copyTo: what a fleet instance has yet to share', () => {
  test('every sample recorded through a lane\'s ring and every row added is counted in the copy too, and taken from it whole', () => {
    const outbox = new Measurements({ retentionMs: s(60) })
    const local = new Measurements({ copyTo: outbox })
    const worker = new Measurements({ retentionMs: s(10) })
    record(local, 'v2', 5, 500, 7, T0)
    local.series('main', 'v2').record(200, 3, undefined, T0 + 100)
    record(worker, 'v2', 4, 200, 9, T0 + 200)
    local.add(worker.take())
    const leader = new Measurements()
    leader.add(outbox.take())
    const l = leader.window('main', 'v2', T0, T0 + s(1))
    const own = local.window('main', 'v2', T0, T0 + s(1))
    assert.equal(l.requests, 10)
    assert.deepEqual(l.byClass, own.byClass)
    assert.equal(own.requests, 10, 'the instance\'s own windows keep everything')
    assert.deepEqual(outbox.take(), [], 'taken once')
  })

  test('a version forgotten is forgotten in the copy too, and a ring made later copies into a fresh one', () => {
    const outbox = new Measurements({ retentionMs: s(60) })
    const local = new Measurements({ copyTo: outbox })
    record(local, 'v2', 3, 200, 5, T0)
    local.forget('v2')
    assert.deepEqual(outbox.take(), [])
    record(local, 'v2', 2, 200, 5, T0 + s(2))
    const rows = outbox.take()
    assert.equal(rows.length, 1)
    const leader = new Measurements()
    leader.add(rows)
    assert.equal(leader.window('main', 'v2', T0, T0 + s(3)).requests, 2)
  })
})
