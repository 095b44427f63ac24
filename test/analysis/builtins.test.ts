import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { evaluateBuiltin, type BuiltinContext } from '../../src/analysis/builtins.js'
import { relativeError } from '../../src/analysis/histogram.js'
import { judge } from '../../src/analysis/run-rules.js'
import type { BuiltinMetric, ProviderResult } from '../../src/analysis/types.js'
import { Measurements } from '../../src/analysis/window.js'
import type { UpstreamReason } from '../../src/upstream-reason.js'

const NOW = Date.UTC(2026, 0, 1, 12, 3, 10)
const ctx: BuiltinContext = { listener: 'main', canary: 'v2', stable: 'v1', windowMs: 10_000, now: NOW, minRequests: 50 }

interface Traffic { version: string; n: number; errors?: number; ms?: number | ((i: number) => number); reason?: UpstreamReason; status?: number }

/** n requests spread over the 10 s before NOW; the first `errors` of them fail. */
function measure(...traffic: Traffic[]): Measurements {
  const m = new Measurements()
  for (const { version, n, errors = 0, ms = 20, reason, status = 500 } of traffic) {
    for (let i = 0; i < n; i++) {
      const failed = i < errors
      const latency = typeof ms === 'number' ? ms : ms(i)
      m.record('main', version, failed ? status : 200, latency, failed ? reason : undefined, NOW - 9_999 + Math.floor((i * 9_999) / n))
    }
  }
  return m
}

const value = (r: ProviderResult): number => {
  assert.ok(r.ok, `not a value: ${JSON.stringify(r)}`)
  return r.value
}

describe('builtins', () => {
  test('successRate and errorRate over the canary only', () => {
    const m = measure({ version: 'v2', n: 100, errors: 4 }, { version: 'v1', n: 100, errors: 50 })
    assert.deepEqual(evaluateBuiltin('successRate', m, ctx), { ok: true, value: 0.96, sampleSize: 100 })
    assert.deepEqual(evaluateBuiltin('errorRate', m, ctx), { ok: true, value: 0.04, sampleSize: 100 })
  })

  test('errorRate counts a response lost upstream after its status was sent', () => {
    const m = measure({ version: 'v2', n: 100, errors: 10, status: 200, reason: 'reset' })
    assert.equal(value(evaluateBuiltin('errorRate', m, ctx)), 0.1)
    assert.equal(value(evaluateBuiltin('successRate', m, ctx)), 0.9)
  })

  test('an upstream error ramp answered with 502 counts once', () => {
    const m = measure({ version: 'v2', n: 100, errors: 10, status: 502, reason: 'connect' })
    assert.equal(value(evaluateBuiltin('errorRate', m, ctx)), 0.1)
  })

  test('fewer canary requests than minRequests is Inconclusive, and says so', () => {
    const m = measure({ version: 'v2', n: 12 })
    for (const metric of ['successRate', 'errorRate', 'errorRateDelta', 'latencyP50', 'latencyP90', 'latencyP99', 'latencyP99Ratio'] as const) {
      assert.deepEqual(evaluateBuiltin(metric, m, ctx), {
        ok: false, phase: 'Inconclusive', message: '12 canary requests in the 10s window, fewer than minRequests 50',
      }, metric)
    }
  })

  test('requests outside the window do not count towards minRequests', () => {
    const m = measure({ version: 'v2', n: 100 })
    const later = { ...ctx, now: NOW + 9_000 }
    const r = evaluateBuiltin('successRate', m, later)
    assert.ok(!r.ok && r.phase === 'Inconclusive' && /^1\d canary requests in the 10s window/.test(r.message), JSON.stringify(r))
  })

  test('errorRateDelta when both fail equally is about 0, and passes', () => {
    const m = measure({ version: 'v2', n: 200, errors: 20 }, { version: 'v1', n: 1000, errors: 100 })
    const r = evaluateBuiltin('errorRateDelta', m, ctx)
    assert.ok(Math.abs(value(r)) < 1e-12)
    assert.equal(judge(r, { max: 0.01 }), 'Successful')
  })

  test('errorRateDelta when the canary fails more', () => {
    const m = measure({ version: 'v2', n: 100, errors: 30 }, { version: 'v1', n: 100, errors: 5 })
    const r = evaluateBuiltin('errorRateDelta', m, ctx)
    assert.ok(Math.abs(value(r) - 0.25) < 1e-12)
    assert.equal(judge(r, { max: 0.01 }), 'Failed')
  })

  test('a comparison with too few stable requests is Inconclusive', () => {
    const m = measure({ version: 'v2', n: 100 }, { version: 'v1', n: 8 })
    for (const metric of ['errorRateDelta', 'latencyP99Ratio'] as const) {
      assert.deepEqual(evaluateBuiltin(metric, m, ctx), {
        ok: false, phase: 'Inconclusive', message: '8 stable requests in the 10s window, fewer than minRequests 50',
      })
    }
  })

  // The canary's latencies are 1..1000 ms, one request each.
  const latencies: Array<[BuiltinMetric, number]> = [['latencyP50', 500], ['latencyP90', 900], ['latencyP99', 990]]
  for (const [metric, exact] of latencies) {
    test(`${metric} in ms, within the histogram's relative error`, () => {
      const m = measure({ version: 'v2', n: 1000, ms: (i) => i + 1 })
      const r = evaluateBuiltin(metric, m, ctx)
      assert.ok(Math.abs(value(r) - exact) / exact <= relativeError, `${value(r)} vs ${exact}`)
      assert.equal(r.ok && r.sampleSize, 1000)
    })
  }

  test('latencyP99Ratio: a canary twice as slow is about 2', () => {
    const m = measure({ version: 'v2', n: 100, ms: 400 }, { version: 'v1', n: 100, ms: 200 })
    const r = evaluateBuiltin('latencyP99Ratio', m, ctx)
    assert.ok(Math.abs(value(r) - 2) / 2 <= 2 * relativeError, String(value(r)))
  })

  test('requestRate is requests per second, and needs no minRequests: its value is the count', () => {
    assert.equal(value(evaluateBuiltin('requestRate', measure({ version: 'v2', n: 300 }), ctx)), 30)
    assert.deepEqual(evaluateBuiltin('requestRate', measure({ version: 'v1', n: 300 }), ctx), { ok: true, value: 0, sampleSize: 0 })
    assert.equal(judge(evaluateBuiltin('requestRate', measure({ version: 'v2', n: 5 }), ctx), { min: 1 }), 'Failed')
  })

  test('with minRequests 0 an empty window is still Inconclusive, never a pass', () => {
    const r = evaluateBuiltin('successRate', new Measurements(), { ...ctx, minRequests: 0 })
    assert.deepEqual(r, { ok: false, phase: 'Inconclusive', message: 'successRate has no value: no requests in the window' })
  })

  test('a window longer than the measurements kept is an Error', () => {
    const r = evaluateBuiltin('successRate', new Measurements(), { ...ctx, windowMs: 20 * 60_000 })
    assert.deepEqual(r, { ok: false, phase: 'Error', message: 'the 20m window is longer than the 10m of measurements ramp keeps' })
  })
})
