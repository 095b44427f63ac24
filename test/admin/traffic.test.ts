import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sinceOf, trafficView, type TrafficSource } from '../../src/admin/traffic.js'
import { WeightTimeline } from '../../src/admin/weights.js'
import { Measurements } from '../../src/analysis/window.js'
import type { Subscriber } from '../../src/rollout/driver.js'
import type { TableSpec } from '../../src/routing/spec.js'

const T0 = 1_700_000_000_000

/** A driver as the timeline sees it: a table whose weight a test moves, and its subscribers told. */
function fakeDriver(weightBp: number) {
  const subscribers: Subscriber[] = []
  const d = {
    table: { weightBp } as TableSpec,
    subscribe(fn: Subscriber) { subscribers.push(fn); return () => undefined },
    move(bp: number) {
      d.table = { weightBp: bp } as TableSpec
      for (const fn of subscribers) fn({} as never, [])
    },
  }
  return d
}

describe('WeightTimeline', () => {
  test('answers the weight in force at each moment, and keeps the one from before what it forgets', () => {
    let now = T0
    const d = fakeDriver(0)
    const w = new WeightTimeline(d, () => now, 10_000)
    now = T0 + 1000; d.move(2000)
    now = T0 + 5000; d.move(2000) // no change: nothing kept
    now = T0 + 6000; d.move(5000)
    assert.deepEqual([T0 - 1, T0 + 999, T0 + 1000, T0 + 5999, T0 + 6000, T0 + 60_000].map((t) => w.at(t)), [0, 0, 20, 20, 50, 50])
    now = T0 + 30_000; d.move(10_000)
    // The 20% of 1 s and the 50% of 6 s are older than 10 s; 50% still held at 25 s.
    assert.deepEqual([T0 + 25_000, T0 + 30_000].map((t) => w.at(t)), [50, 100])
  })
})

describe('trafficView', () => {
  const source = (m: Measurements, now: number, weight = 3000): TrafficSource => ({
    measurements: m, now: () => now, listeners: () => ['main', 'preview'], versions: () => ['v1', 'v2'],
    weights: new WeightTimeline(fakeDriver(weight), () => T0, 600_000),
  })

  test('one row per whole second, the running second left out, each version\'s requests, share, errors and quantiles', () => {
    const m = new Measurements()
    for (let i = 0; i < 7; i++) m.record('main', 'v1', 200, 10, undefined, T0 + 100 + i)
    for (let i = 0; i < 2; i++) m.record('main', 'v2', 200, 40, undefined, T0 + 200 + i)
    m.record('main', 'v2', 503, 40, undefined, T0 + 300)
    m.record('preview', 'v2', 200, 5, undefined, T0 + 1500)
    m.record('main', 'v1', 200, 10, undefined, T0 + 2500) // in the running second: not reported
    const v = trafficView(source(m, T0 + 2400), T0 - 500)
    assert.equal(v.from, T0 - 1000)
    assert.equal(v.to, T0 + 2000)
    assert.deepEqual(v.seconds.map((s) => s.at), [T0 - 1000, T0, T0 + 1000])
    const first = v.seconds[1]?.listeners.main
    assert.equal(first?.v1?.requests, 7)
    assert.equal(first?.v2?.requests, 3)
    assert.equal(first?.v1?.share, 0.7)
    assert.equal(first?.v2?.errorRate, 1 / 3)
    assert.ok(Math.abs((first?.v1?.p50 ?? 0) - 10) / 10 < 0.05)
    assert.ok(Math.abs((first?.v2?.p99 ?? 0) - 40) / 40 < 0.05)
    assert.deepEqual(v.seconds[0]?.listeners.main?.v1, { requests: 0, share: null, errorRate: null, p50: null, p99: null })
    assert.equal(v.seconds[2]?.listeners.preview?.v2?.share, 1)
    assert.equal(v.seconds[2]?.weight, 30)
  })

  test('with workers the primary adds each worker\'s rows, and a second read again shows what arrived late', () => {
    const primary = new Measurements()
    const worker = new Measurements()
    worker.record('main', 'v2', 200, 1, undefined, T0 + 10)
    primary.add(worker.take())
    const early = trafficView(source(primary, T0 + 1100), T0)
    worker.record('main', 'v2', 200, 1, undefined, T0 + 900)
    primary.add(worker.take())
    const late = trafficView(source(primary, T0 + 2100), T0)
    assert.equal(early.seconds[0]?.listeners.main?.v2?.requests, 1)
    assert.equal(late.seconds[0]?.listeners.main?.v2?.requests, 2)
  })
})

describe('sinceOf', () => {
  const now = T0
  const rows: Array<[unknown, number | RegExp]> = [
    [undefined, now - 300_000],
    [String(now - 5000), now - 5000],
    [String(now - 3_600_000), now - 600_000], // older than kept: the oldest kept
    ['yesterday', /since="yesterday" is not a time in epoch milliseconds/],
    ['-5', /since="-5"/],
    [['1', '2'], /since=\["1","2"\]/],
  ]
  for (const [raw, want] of rows) {
    test(`${JSON.stringify(raw)} -> ${String(want)}`, () => {
      if (typeof want === 'number') assert.equal(sinceOf(raw, now, 600_000), want)
      else assert.throws(() => sinceOf(raw, now, 600_000), (err: Error & { code?: string }) => err.code === 'RAMP_ERR_ADMIN_BAD_REQUEST' && want.test(err.message))
    })
  }
})
