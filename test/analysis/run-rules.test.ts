import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { judge, runPhase, toMeasurement } from '../../src/analysis/run-rules.js'
import type { AnalysisTemplate, Measurement, MeasurementPhase, MetricSpec, ProviderResult, Range, RunPhase } from '../../src/analysis/types.js'

const T = Date.UTC(2026, 0, 1, 12, 3, 10)
const successRate: MetricSpec = { name: 'success-rate', provider: { type: 'builtin', metric: 'successRate' }, range: { min: 0.99 } }
const p99: MetricSpec = { name: 'p99', provider: { type: 'builtin', metric: 'latencyP99' }, range: { max: 500 } }

function template(over: Partial<AnalysisTemplate> = {}): AnalysisTemplate {
  return {
    name: 'canary-health', intervalMs: 10_000, count: 3, initialDelayMs: 0, failureLimit: 0, inconclusiveLimit: 0,
    consecutiveErrorLimit: 2, minRequests: 50, windowMs: 10_000, metrics: [successRate], ...over,
  }
}

const results: Record<string, ProviderResult> = {
  S: { ok: true, value: 0.995, sampleSize: 412 },
  F: { ok: true, value: 0.962, sampleSize: 412 },
  s: { ok: true, value: 230, sampleSize: 90 },
  f: { ok: true, value: 812, sampleSize: 90 },
  I: { ok: false, phase: 'Inconclusive', message: '12 canary requests in the 10s window, fewer than minRequests 50' },
  E: { ok: false, phase: 'Error', message: 'the 20m window is longer than the 10m of measurements ramp keeps' },
}

/** "SFE" -> three measurements of `spec`, 10 s apart from T; p99 passes and fails with "s" and "f". */
function seq(letters: string, spec: MetricSpec = successRate): Measurement[] {
  const own = (l: string): string => (spec === p99 && (l === 'S' || l === 'F') ? l.toLowerCase() : l)
  return [...letters].map((l, i) => toMeasurement(spec, results[own(l)] as ProviderResult, T + i * 10_000, 10_000))
}

describe('judge', () => {
  const rows: Array<[string, ProviderResult, Range, MeasurementPhase]> = [
    ['inside a min', { ok: true, value: 0.995, sampleSize: 1 }, { min: 0.99 }, 'Successful'],
    ['on the min', { ok: true, value: 0.99, sampleSize: 1 }, { min: 0.99 }, 'Successful'],
    ['below the min', { ok: true, value: 0.962, sampleSize: 1 }, { min: 0.99 }, 'Failed'],
    ['on the max', { ok: true, value: 500, sampleSize: 1 }, { max: 500 }, 'Successful'],
    ['above the max', { ok: true, value: 501, sampleSize: 1 }, { max: 500 }, 'Failed'],
    ['between both', { ok: true, value: 3, sampleSize: 1 }, { min: 1, max: 5 }, 'Successful'],
    ['no range passes anything', { ok: true, value: -7, sampleSize: null }, {}, 'Successful'],
    ['NaN is never a pass', { ok: true, value: NaN, sampleSize: 1 }, {}, 'Inconclusive'],
    ['Infinity is never a pass', { ok: true, value: Infinity, sampleSize: 1 }, { min: 0 }, 'Inconclusive'],
    ['Inconclusive passes through', results.I as ProviderResult, { min: 0.99 }, 'Inconclusive'],
    ['Error passes through', results.E as ProviderResult, { min: 0.99 }, 'Error'],
  ]
  for (const [name, result, range, phase] of rows) test(name, () => assert.equal(judge(result, range), phase))
})

describe('measurements', () => {
  test('a builtin names its value, range, requests, window and time', () => {
    assert.deepEqual(seq('F')[0], {
      metric: 'success-rate', phase: 'Failed', value: 0.962, range: { min: 0.99 }, sampleSize: 412, windowMs: 10_000, at: T,
      message: 'success-rate 0.962 < 0.99 over 412 requests, 10s window at 12:03:10',
    })
  })

  test('an external provider has no window of ramp', () => {
    const spec: MetricSpec = { name: 'error-ratio', provider: { type: 'prometheus', address: 'http://p', query: 'q', timeoutMs: 1000 }, range: { max: 0.05 } }
    const m = toMeasurement(spec, { ok: true, value: 0.2, sampleSize: null }, T, 10_000)
    assert.deepEqual([m.windowMs, m.message], [null, 'error-ratio 0.2 > 0.05 at 12:03:10'])
  })

  test("a webhook's status is in the message", () => {
    const spec: MetricSpec = { name: 'approve', provider: { type: 'webhook', url: 'http://w', timeoutMs: 1000, headers: {} }, range: { min: 1 } }
    const m = toMeasurement(spec, { ok: true, value: 0, sampleSize: null, detail: 'HTTP 503: "down"' }, T, 10_000)
    assert.deepEqual([m.phase, m.message], ['Failed', 'approve 0 < 1 (HTTP 503: "down") at 12:03:10'])
  })

  test('an Inconclusive or Error measurement says why', () => {
    assert.equal(seq('I')[0]?.message, 'success-rate inconclusive: 12 canary requests in the 10s window, fewer than minRequests 50, at 12:03:10')
    assert.equal(seq('E')[0]?.message, 'success-rate error: the 20m window is longer than the 10m of measurements ramp keeps, at 12:03:10')
    const nan = toMeasurement(successRate, { ok: true, value: NaN, sampleSize: 3 }, T, 10_000)
    assert.deepEqual([nan.phase, nan.message], ['Inconclusive', 'success-rate inconclusive: NaN is not a finite number, at 12:03:10'])
  })
})

describe('run phase, one metric', () => {
  // [name, template overrides, measurements, phase]
  const rows: Array<[string, Partial<AnalysisTemplate>, string, RunPhase]> = [
    ['no measurements yet', {}, '', 'Running'],
    ['fewer than count', {}, 'SS', 'Running'],
    ['count reached', {}, 'SSS', 'Successful'],
    ['one failure over failureLimit 0', {}, 'F', 'Failed'],
    ['failures within failureLimit 1', { failureLimit: 1 }, 'F', 'Running'],
    ['failures at failureLimit still reach the count', { failureLimit: 1 }, 'FSS', 'Successful'],
    ['failures over failureLimit 1', { failureLimit: 1 }, 'SFF', 'Failed'],
    ['one inconclusive over inconclusiveLimit 0', {}, 'I', 'Inconclusive'],
    ['inconclusives within inconclusiveLimit 1 reach the count', { inconclusiveLimit: 1 }, 'ISS', 'Successful'],
    ['inconclusives over inconclusiveLimit 1', { inconclusiveLimit: 1 }, 'II', 'Inconclusive'],
    ['errors up to consecutiveErrorLimit 2', {}, 'EE', 'Running'],
    ['errors over consecutiveErrorLimit 2', {}, 'EEE', 'Failed'],
    ['a success resets the error streak', {}, 'EESEE', 'Running'],
    ['an inconclusive resets the error streak too (as in Argo)', { inconclusiveLimit: 1 }, 'EEIEE', 'Running'],
    ['a streak after the reset counts from zero', {}, 'EESEEE', 'Failed'],
    ['errors do not count towards count', {}, 'SESES', 'Successful'],
    ['a decided metric stays decided', {}, 'EEESSS', 'Failed'],
    ['failure is judged before the count', { count: 1 }, 'F', 'Failed'],
    ['count null runs on', { count: null }, 'SSSSSSSSSS', 'Running'],
    ['count null still fails', { count: null }, 'SSSSF', 'Failed'],
  ]
  for (const [name, over, letters, phase] of rows) {
    test(name, () => assert.equal(runPhase(template(over), { 'success-rate': seq(letters) }).phase, phase))
  }

  test('count null is Successful once stopped', () => {
    assert.deepEqual(runPhase(template({ count: null }), { 'success-rate': seq('SSSS') }, { stopped: true }), {
      phase: 'Successful', message: 'success-rate 0.995 >= 0.99 over 412 requests, 10s window at 12:03:40 (stopped after 4 measurements)',
    })
  })
})

describe('run phase, several metrics', () => {
  const rows: Array<[string, string, string, RunPhase]> = [
    ['any Failed fails the run', 'F', 'S', 'Failed'],
    ['Failed wins over Inconclusive', 'I', 'SF', 'Failed'],
    ['Inconclusive when none failed', 'I', 'SSS', 'Inconclusive'],
    ['Successful when every metric is', 'SSS', 'SSS', 'Successful'],
    ['Running while one is still measuring', 'SSS', 'SS', 'Running'],
  ]
  for (const [name, a, b, phase] of rows) {
    test(name, () => assert.equal(runPhase(template({ metrics: [successRate, p99] }), { 'success-rate': seq(a), p99: seq(b, p99) }).phase, phase))
  }
})

describe('run messages', () => {
  const t = template({ metrics: [successRate, p99] })
  test('the deciding measurement and the limit it crossed', () => {
    assert.equal(runPhase(t, { 'success-rate': seq('SF') }).message,
      'success-rate 0.962 < 0.99 over 412 requests, 10s window at 12:03:20 (1 failure > failureLimit 0)')
  })
  test('the earliest decision among metrics decides', () => {
    const late = seq('SSF')
    const early = [toMeasurement(p99, results.f as ProviderResult, T + 5_000, 10_000)]
    assert.equal(runPhase(t, { 'success-rate': late, p99: early }).message,
      'p99 812 > 500 over 90 requests, 10s window at 12:03:15 (1 failure > failureLimit 0)')
  })
  test('consecutive errors', () => {
    assert.equal(runPhase(t, { 'success-rate': seq('EEE') }).message,
      'success-rate error: the 20m window is longer than the 10m of measurements ramp keeps, at 12:03:30 (3 consecutive errors > consecutiveErrorLimit 2)')
  })
  test('inconclusive', () => {
    assert.equal(runPhase(t, { 'success-rate': seq('I') }).message,
      'success-rate inconclusive: 12 canary requests in the 10s window, fewer than minRequests 50, at 12:03:10 (1 inconclusive > inconclusiveLimit 0)')
  })
  test('successful: the last measurement that completed it', () => {
    assert.equal(runPhase(t, { 'success-rate': seq('SSS'), p99: seq('SSS', p99) }).message,
      'p99 230 <= 500 over 90 requests, 10s window at 12:03:30 (count 3 reached)')
  })
  test('running: how far each metric is, and the last measurement', () => {
    assert.equal(runPhase(t, { 'success-rate': seq('SS') }).message,
      'waiting for measurements: success-rate 2 of 3, p99 0 of 3; last: success-rate 0.995 >= 0.99 over 412 requests, 10s window at 12:03:20')
    assert.equal(runPhase(template({ count: null }), {}).message, 'waiting for measurements: success-rate 0 measurements so far')
  })
})
