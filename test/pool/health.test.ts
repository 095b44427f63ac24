import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pino } from 'pino'
import { Agent } from 'undici'
import { parseConfig } from '../../src/config/load.js'
import { Metrics } from '../../src/metrics/registry.js'
import type { Backend } from '../../src/pool/backend.js'
import { HealthMonitor, type HealthCheckRules } from '../../src/pool/health.js'
import { observeFailure, observeStatus } from '../../src/pool/observe.js'
import type { OutlierRules } from '../../src/pool/outlier.js'
import { createPool, type VersionPool } from '../../src/pool/pool.js'
import type { ProbeAnswer } from '../../src/pool/probe.js'
import { manualClock } from '../support/manual-clock.js'

const silent = pino({ level: 'silent' })

/** The defaults of the config schema, with what a case changes. */
function rules(yaml: string): { checks: HealthCheckRules; outlier: OutlierRules } {
  const config = parseConfig(`listen: { port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:9001"] }\n${yaml}`, null, {})
  return { checks: config.healthCheck, outlier: config.outlier }
}

const settle = () => new Promise<void>((r) => setImmediate(r))

/**
 * A monitor over a manual clock whose checks answer from `answers` (by backend URL, 200 when
 * unset), with what it told the engine. Checks are every 100 ms, without jitter.
 */
function world(yaml: string, versions: { stable: number; canary?: number }) {
  const clock = manualClock()
  const metrics = new Metrics({ processMetrics: false })
  const answers = new Map<string, ProbeAnswer>()
  const probed: string[] = []
  const told: Array<[string, boolean]> = []
  const r = rules(yaml)
  const dispatcher = new Agent()
  const monitor = new HealthMonitor({
    clock, log: silent, metrics, random: () => 0, dispatcher,
    onVersionHealth: (version, available) => { told.push([version, available]); return Promise.resolve() },
    probe: (url) => {
      probed.push(url)
      return Promise.resolve(answers.get(url) ?? { status: 200, detail: 'HTTP 200' })
    },
  }, r.checks, r.outlier)
  const stable = createPool('v1', Array.from({ length: versions.stable }, (_, i) => `http://127.0.0.1:${9001 + i}`))
  const canary = versions.canary === undefined ? null : createPool('v2', Array.from({ length: versions.canary }, (_, i) => `http://127.0.0.1:${9101 + i}`))
  monitor.follow({ stable, canary })
  return {
    clock, metrics, answers, probed, told, monitor, stable, canary: canary as VersionPool, rules: r,
    /** Moves time on and lets the checks that fell due answer. */
    async advance(ms: number): Promise<void> {
      clock.advance(ms)
      await settle()
    },
    down(b: Backend, detail = 'ECONNREFUSED'): void { answers.set(b.url, { status: null, detail }) },
    up(b: Backend): void { answers.delete(b.url) },
    async backendUp(): Promise<string> { return metrics.registry.getSingleMetricAsString('ramp_backend_up') },
    close(): void { monitor.close(); void dispatcher.close() },
  }
}

const checksOn = 'healthCheck: { enabled: true, intervalMs: 100, jitter: 0, healthyThreshold: 2, unhealthyThreshold: 3 }\n'

describe('active checks in the monitor', () => {
  test('a backend failing unhealthyThreshold checks leaves the candidates and comes back after healthyThreshold passes', async (t) => {
    const w = world(checksOn, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    await w.advance(0)
    assert.deepEqual(w.stable.available, [a, b])
    w.down(b)
    await w.advance(100)
    await w.advance(100)
    assert.deepEqual(w.stable.available, [a, b], 'two failures are not enough')
    await w.advance(100)
    assert.deepEqual(w.stable.available, [a])
    assert.match(await w.backendUp(), new RegExp(`backend="${b.url}"\\} 0`))
    assert.match(await w.backendUp(), new RegExp(`backend="${a.url}"\\} 1`))
    const view = w.monitor.view().versions[0]?.backends[1]
    assert.equal(view?.state, 'unhealthy')
    assert.equal(view?.consecutiveCheckFailures, 3)
    assert.deepEqual({ ok: view?.lastCheck?.ok, detail: view?.lastCheck?.detail }, { ok: false, detail: 'ECONNREFUSED' })
    w.up(b)
    await w.advance(100)
    assert.deepEqual(w.stable.available, [a])
    await w.advance(100)
    assert.deepEqual(w.stable.available, [a, b])
    assert.deepEqual(w.told, [], 'the version always had a backend: the engine hears nothing')
  })

  test('a status outside expectedStatus fails the check', async (t) => {
    const w = world('healthCheck: { enabled: true, intervalMs: 100, jitter: 0, unhealthyThreshold: 1, expectedStatus: "200" }\n', { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    w.answers.set(b.url, { status: 204, detail: 'HTTP 204' })
    await w.advance(0)
    assert.deepEqual(w.stable.available, [a])
  })

  test('a version whose every backend fails its checks is reported to the engine, and again when one is back', async (t) => {
    const w = world(checksOn, { stable: 1, canary: 2 })
    t.after(() => w.close())
    const [c1, c2] = w.canary.backends as [Backend, Backend]
    w.down(c1)
    w.down(c2)
    for (let i = 0; i < 3; i++) await w.advance(i === 0 ? 0 : 100)
    assert.deepEqual(w.canary.available, [])
    assert.deepEqual(w.told, [['v2', false]])
    assert.equal(w.monitor.panic, false, 'the stable still serves')
    w.up(c2)
    await w.advance(100)
    await w.advance(100)
    assert.deepEqual(w.told, [['v2', false], ['v2', true]])
  })

  test('panic while no version has an available backend: flag, gauge, and back', async (t) => {
    const w = world(checksOn, { stable: 1, canary: 1 })
    t.after(() => w.close())
    const [s] = w.stable.backends as [Backend]
    const [c] = w.canary.backends as [Backend]
    w.down(s)
    w.down(c)
    for (let i = 0; i < 3; i++) await w.advance(i === 0 ? 0 : 100)
    assert.equal(w.monitor.panic, true)
    assert.equal(w.monitor.view().panic, true)
    assert.match(await w.metrics.registry.getSingleMetricAsString('ramp_panic'), /^ramp_panic 1$/m)
    w.up(c)
    await w.advance(100)
    await w.advance(100)
    assert.equal(w.monitor.panic, false)
    assert.match(await w.metrics.registry.getSingleMetricAsString('ramp_panic'), /^ramp_panic 0$/m)
  })

  test('a backend that leaves the table stops being checked; the ones that stay go on', async (t) => {
    const w = world(checksOn, { stable: 1, canary: 1 })
    t.after(() => w.close())
    const [s] = w.stable.backends as [Backend]
    const [c] = w.canary.backends as [Backend]
    await w.advance(0)
    w.monitor.follow({ stable: w.stable, canary: null })
    assert.equal(c.health.sink, null)
    w.probed.length = 0
    for (let i = 0; i < 5; i++) await w.advance(100)
    assert.deepEqual(new Set(w.probed), new Set([s.url]))
    assert.deepEqual(w.monitor.view().versions.map((v) => v.name), ['v1'])
  })

  test('after a restart, a version the stored state calls unavailable is told its real state at once', (t) => {
    const clock = manualClock()
    const told: Array<[string, boolean]> = []
    const r = rules('')
    const dispatcher = new Agent()
    t.after(() => dispatcher.close())
    const monitor = new HealthMonitor({ clock, log: silent, metrics: new Metrics({ processMetrics: false }), random: () => 0, dispatcher, unavailable: ['v1'], onVersionHealth: (v, a) => { told.push([v, a]); return Promise.resolve() } }, r.checks, r.outlier)
    t.after(() => monitor.close())
    monitor.follow({ stable: createPool('v1', ['http://127.0.0.1:9001']), canary: null })
    assert.deepEqual(told, [['v1', true]])
  })
})

describe('passive ejection in the monitor', () => {
  const outlier = 'outlier: { consecutive5xx: 3, consecutiveConnectFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 5000 }\n'

  test('5xx in a row eject a backend until its time is up, and the next ejection lasts twice as long', async (t) => {
    const w = world(outlier, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    for (let i = 0; i < 3; i++) observeStatus(b, 503)
    assert.deepEqual(w.stable.available, [a])
    const view = w.monitor.view().versions[0]?.backends[1]
    assert.equal(view?.state, 'ejected')
    assert.equal(view?.ejectedUntil, new Date(w.clock.now() + 1000).toISOString())
    await w.advance(999)
    assert.deepEqual(w.stable.available, [a])
    await w.advance(1)
    assert.deepEqual(w.stable.available, [a, b])
    observeFailure(b, 'connect')
    observeFailure(b, 'reset')
    assert.deepEqual(w.stable.available, [a])
    await w.advance(1999)
    assert.deepEqual(w.stable.available, [a])
    await w.advance(1)
    assert.deepEqual(w.stable.available, [a, b])
    assert.equal(w.monitor.view().versions[0]?.backends[1]?.ejections, 2)
  })

  test('a success resets the count; a 4xx is a success', (t) => {
    const w = world(outlier, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    observeStatus(b, 500)
    observeStatus(b, 502)
    observeStatus(b, 404)
    observeStatus(b, 500)
    observeStatus(b, 500)
    assert.deepEqual(w.stable.available, [a, b])
    assert.equal(w.monitor.view().versions[0]?.backends[1]?.consecutive5xx, 2)
  })

  test('the last available backend of a version is never ejected', (t) => {
    const w = world(outlier, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    for (let i = 0; i < 3; i++) observeStatus(a, 500)
    assert.deepEqual(w.stable.available, [b])
    for (let i = 0; i < 10; i++) observeStatus(b, 500)
    assert.deepEqual(w.stable.available, [b], 'b is all v1 has left')
    assert.deepEqual(w.told, [])
  })

  test('a timeout counts as a 5xx; no_backend counts for nothing', (t) => {
    const w = world(outlier, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    for (let i = 0; i < 5; i++) observeFailure(b, 'no_backend')
    assert.deepEqual(w.stable.available, [a, b])
    for (let i = 0; i < 3; i++) observeFailure(b, 'timeout')
    assert.deepEqual(w.stable.available, [a])
  })

  test('with active checks on, healthyThreshold passes after the ejection bring it back early', async (t) => {
    const w = world(`${checksOn}${outlier}`, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    await w.advance(0)
    for (let i = 0; i < 3; i++) observeStatus(b, 500)
    assert.deepEqual(w.stable.available, [a])
    await w.advance(100)
    assert.deepEqual(w.stable.available, [a], 'one pass is not enough')
    await w.advance(100)
    assert.deepEqual(w.stable.available, [a, b], 'back after two passes, 800 ms before its ejection ends')
    assert.equal(b.health.outlier.ejectedUntil, null)
  })

  test('with active checks on, a backend whose ejection ran out but whose checks fail stays out', async (t) => {
    const w = world(`${checksOn}${outlier}`, { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    await w.advance(0)
    observeFailure(b, 'connect')
    observeFailure(b, 'connect')
    w.down(b)
    for (let i = 0; i < 10; i++) await w.advance(100)
    assert.equal(b.health.outlier.ejectedUntil, null, 'the ejection is over')
    assert.deepEqual(w.stable.available, [a], 'but the checks hold it out')
    assert.equal(w.monitor.view().versions[0]?.backends[1]?.state, 'unhealthy')
  })

  test('configure: turning ejection off ends every ejection; turning checks off lets back what they held out', async (t) => {
    const w = world(`${checksOn}${outlier}`, { stable: 3 })
    t.after(() => w.close())
    const [a, b, c] = w.stable.backends as [Backend, Backend, Backend]
    w.down(c)
    for (let i = 0; i < 3; i++) await w.advance(i === 0 ? 0 : 100)
    for (let i = 0; i < 3; i++) observeStatus(b, 500)
    assert.deepEqual(w.stable.available, [a])
    w.monitor.configure({ ...w.rules.checks, enabled: false }, { ...w.rules.outlier, enabled: false })
    assert.deepEqual(w.stable.available, [a, b, c])
    w.probed.length = 0
    await w.advance(1000)
    assert.deepEqual(w.probed, [], 'no more checks')
    for (let i = 0; i < 10; i++) observeStatus(b, 500)
    assert.deepEqual(w.stable.available, [a, b, c], 'no more ejections')
  })
})

describe('slow start in the monitor', () => {
  test('a backend back from an ejection ramps its share from 1/20 to 1 over slowStartMs', async (t) => {
    const w = world('healthCheck: { slowStartMs: 2000 }\noutlier: { consecutive5xx: 1, baseEjectionMs: 1000 }\n', { stable: 2 })
    t.after(() => w.close())
    const [a, b] = w.stable.backends as [Backend, Backend]
    observeStatus(b, 500)
    assert.deepEqual(w.stable.available, [a])
    await w.advance(1000)
    assert.deepEqual(w.stable.available, [a, b])
    assert.equal(b.health.share, 0.05)
    assert.equal(w.monitor.view().versions[0]?.backends[1]?.state, 'slowStart')
    const shares: number[] = []
    for (let i = 0; i < 20; i++) {
      await w.advance(100)
      shares.push(b.health.share)
    }
    assert.deepEqual(shares.slice(0, 3), [0.05, 0.1, 0.15])
    assert.equal(shares[9], 0.5)
    assert.equal(shares.at(-1), 1)
    assert.equal(b.health.slowStartSince, null)
    assert.equal(w.monitor.view().versions[0]?.backends[1]?.state, 'healthy')
  })

  test('without slowStartMs a backend comes back at its full share', async (t) => {
    const w = world('outlier: { consecutive5xx: 1, baseEjectionMs: 1000 }\n', { stable: 2 })
    t.after(() => w.close())
    const [, b] = w.stable.backends as [Backend, Backend]
    observeStatus(b, 500)
    await w.advance(1000)
    assert.equal(b.health.share, 1)
  })
})
