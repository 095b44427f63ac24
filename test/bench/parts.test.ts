import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { test } from 'node:test'
import { request } from 'undici'
import { addBackendFlag, backendSpec, type BackendFlags } from '../../src/bench/backend-spec.js'
import { latencySampler } from '../../src/bench/latency.js'
import { metricValue } from '../../src/bench/metrics-text.js'
import { parsePinning } from '../../src/bench/pinning.js'
import { niceCeil } from '../../src/bench/svg-chart.js'
import { quantile, Seconds, noReading } from '../../src/bench/timeline.js'
import { seeded } from '../support/prng.js'
import { backend } from '../support/world/backends.js'

test('latency distributions: what each spec draws', () => {
  const rows: Array<[string, (draws: number[]) => boolean]> = [
    ['none', (d) => d.every((x) => x === 0)],
    ['fixed:5ms', (d) => d.every((x) => x === 5)],
    ['uniform:2ms,8ms', (d) => d.every((x) => x >= 2 && x <= 8) && Math.abs(d.reduce((a, b) => a + b, 0) / d.length - 5) < 0.2],
    ['normal:20ms,5ms', (d) => {
      const mean = d.reduce((a, b) => a + b, 0) / d.length
      const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length)
      return Math.abs(mean - 20) < 0.3 && Math.abs(sd - 5) < 0.3
    }],
    ['normal:1ms,5ms', (d) => d.every((x) => x >= 0)],
  ]
  for (const [spec, ok] of rows) {
    const draw = latencySampler(spec, seeded(1))
    assert.equal(typeof draw, 'function', spec)
    assert.ok(ok(Array.from({ length: 5000 }, draw as () => number)), spec)
  }
  for (const bad of ['fixed', 'fixed:5', 'normal:5ms', 'uniform:8ms,2ms', 'lognormal:1ms,2ms', 'fixed:5ms,1ms']) assert.equal(typeof latencySampler(bad), 'string', bad)
})

test('backend flags: a version\'s own value, else the value for every version, else the scenario\'s default', () => {
  const flags: BackendFlags = {}
  assert.equal(addBackendFlag(flags, 'latency', ['normal:20ms,5ms', 'v2=fixed:1ms']), null)
  assert.equal(addBackendFlag(flags, 'errorRate', ['v1=0.5']), null)
  assert.deepEqual(backendSpec('v1', flags, { errorRate: 0.1 }), { name: 'v1', latency: 'normal:20ms,5ms', bytes: null, errorRate: 0.5 })
  assert.deepEqual(backendSpec('v2', flags, { errorRate: 0.1, bytes: 10 }), { name: 'v2', latency: 'fixed:1ms', bytes: 10, errorRate: 0.1 })
  assert.match(addBackendFlag(flags, 'bytes', ['v1=-1']) ?? '', /--size v1=-1/)
})

test('--cpus: roles and core lists', () => {
  const all = `0-${availableParallelism() - 1}`
  assert.deepEqual(parsePinning('proxy=0,load=1'), { proxy: '0', load: '1', backends: all }, 'a role not named runs on every core, not where the load is')
  assert.deepEqual(parsePinning('backends=0'), { proxy: all, load: all, backends: '0' })
  assert.deepEqual(parsePinning(''), { proxy: null, load: null, backends: null })
  assert.match(parsePinning('ramp=0') as string, /"ramp=0" is not/)
})

test('timeline: one-second samples and their percentiles', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2)
  assert.equal(quantile([1, 2, 3, 4], 0.99), 4)
  assert.equal(quantile([], 0.5), null)
  const s = new Seconds()
  for (let i = 1; i <= 1000; i++) s.record(i, i % 100 !== 0, i % 5 === 0 ? 'v2' : 'v1')
  s.failed()
  s.close(1, noReading)
  assert.deepEqual(s.samples[0], { t: 1, requests: 1000, rps: 1000, versions: { v1: 800, v2: 200 }, p50: 500, p99: 990, p999: 999, errors: 11, ...noReading })
  for (let i = 1; i <= 1000; i++) s.record(i + 0.25, true, 'v1')
  s.close(2, noReading)
  assert.deepEqual(s.percentiles(), { p50: 500.25, p99: 990.25, p999: 999.25 }, 'the whole run, to fractions of a millisecond')
  assert.deepEqual([niceCeil(0), niceCeil(3), niceCeil(11), niceCeil(4000)], [1, 5, 20, 5000])
})

test('metric values from the text exposition', () => {
  const text = '# HELP x\nramp_process_process_resident_memory_bytes 95289344\nramp_process_nodejs_eventloop_lag_p99_seconds 0.014\nother{a="b"} 1\n'
  assert.equal(metricValue(text, 'ramp_process_process_resident_memory_bytes'), 95289344)
  assert.equal(metricValue(text, 'ramp_process_nodejs_eventloop_lag_p99_seconds'), 0.014)
  assert.equal(metricValue(text, 'missing'), null)
})

test('demo backend: a fixed body size, a drawn delay, and /__count, which leaves out probes and itself', async (t) => {
  const b = await backend(t, { name: 'v1', bodyBytes: 1000, delay: () => 30 })
  const started = performance.now()
  const res = await request(`${b.url}/x`)
  assert.equal((await res.body.arrayBuffer()).byteLength, 1000)
  assert.ok(performance.now() - started >= 29, 'the drawn delay was waited')
  assert.equal(res.headers['x-demo-version'], 'v1')
  await (await request(`${b.url}/healthz`)).body.dump()
  const count = await request(`${b.url}/__count`)
  assert.deepEqual(await count.body.json(), { version: 'v1', traffic: 1 })
  assert.equal(b.served(), 3, 'served() still counts everything')
})
