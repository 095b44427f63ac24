import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { DemoBackend } from '../../../src/demo/backend.js'
import type { Ramp } from '../../../src/ramp.js'
import { admin, backend, rampWith, waitFor } from '../../support/ramp.js'
import type { Traffic } from '../../support/traffic.js'
import { eventually, freePort, load, measurementsOf, startPrometheus, type Prometheus } from './support.js'

// .ci/run installs Debian's prometheus package: a missing binary is a failure here, not a skip.

interface World {
  ramp: Ramp
  prom: Prometheus
  v2: DemoBackend
  load: Traffic
}

/**
 * ramp with only its stable version, a real Prometheus scraping ramp's own /metrics, and load
 * on the main listener. The rollout of v2 is left to the test: started at boot, its analysis
 * would query a Prometheus that does not exist yet.
 */
async function world(t: TestContext, template: string): Promise<World> {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2' })
  const promPort = await freePort()
  const ramp = await rampWith(t, [
    'listen: { port: 0 }',
    `stable: { name: v1, backends: ["${v1.url}"] }`,
    'readiness: { intervalMs: 20 }',
    'strategy:',
    '  canary:',
    '    steps:',
    '      - setWeight: 50',
    '      - analysis: { templates: [prom] }',
    '      - setWeight: 100',
    'analysis:',
    '  templates:',
    template.replaceAll('$PROMETHEUS', `http://127.0.0.1:${promPort}`).replace(/^/gm, '    '),
  ].join('\n'))
  const prom = await startPrometheus(t, promPort, new URL(ramp.urls.admin).host)
  // Prometheus 2.42 hands new targets to its scrapers after ~5 s, so this is most of the setup.
  await waitFor('prometheus to scrape ramp', async () => (await prom.query('up{job="ramp"}')) === 1, 15_000)
  return { ramp, prom, v2, load: load(t, ramp.urls.main) }
}

async function deployV2(w: World): Promise<void> {
  const started = await admin(w.ramp, 'POST', '/api/v1/rollout', { version: { name: 'v2', backends: [w.v2.url] } })
  assert.equal(started.status, 201, JSON.stringify(started.body))
}

test('a Prometheus query over ramp\'s own request counter passes the analysis step and the rollout promotes', async (t) => {
  // The step starts the moment v2 takes traffic, before any scrape has seen it: the delay gives
  // Prometheus two scrapes, or the first measurement would be an empty vector (Inconclusive).
  const w = await world(t, `- name: prom
  interval: 1s
  count: 3
  initialDelay: 2s
  metrics:
    - name: v2-ok
      prometheus: { address: $PROMETHEUS, query: 'sum(ramp_requests_total{version="v2",code="2xx"})' }
      thresholdRange: { min: 1 }`)
  await deployV2(w)

  const done = await eventually(w.ramp, 'Healthy', 'Promoted')
  assert.equal(done.stable.name, 'v2')
  assert.equal(done.analysis.lastVerdict?.kind, 'step')
  assert.equal(done.analysis.lastVerdict?.result, 'Successful')

  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Successful', run?.message)
  assert.equal(run?.kind, 'step')
  const ms = measurementsOf(run, 'v2-ok')
  assert.deepEqual(ms.map((m) => m.phase), ['Successful', 'Successful', 'Successful'], JSON.stringify(ms))
  for (const m of ms) {
    assert.ok(m.value !== null && m.value >= 1, `a value from Prometheus: ${m.message}`)
    assert.match(m.message, /^v2-ok \d+ >= 1 at \d\d:\d\d:\d\d$/)
    assert.equal(m.sampleSize, null, 'an external provider has no sample size')
  }
  const values = ms.map((m) => m.value as number)
  assert.deepEqual([...values].sort((a, b) => a - b), values, 'a counter read over time never goes down')
  // The values came from the real server: it has seen at least as many requests since.
  const now = await w.prom.query('sum(ramp_requests_total{version="v2",code="2xx"})')
  assert.ok(now !== null && now >= (values.at(-1) as number), `prometheus now says ${now}`)
  const history = (await admin<{ events: Array<{ event: string; detail: string }> }>(w.ramp, 'GET', '/api/v1/rollout/events')).body.events
  const verdict = history.find((e) => e.event === 'analysisResult')
  assert.match(verdict?.detail ?? '', /^analysis prom Successful; /, JSON.stringify(history))

  await w.load.stop()
  assert.ok(w.load.seen.length > 0)
  assert.deepEqual(w.load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
  assert.ok(w.load.seen.some((r) => r.version === 'v2'), 'v2 took traffic during the analysis')
})

test('a Prometheus query that is 0 against min 1 fails the analysis and aborts, naming the metric and the value', async (t) => {
  const w = await world(t, `- name: prom
  interval: 1s
  count: 3
  metrics:
    - name: v2-errors
      prometheus: { address: $PROMETHEUS, query: 'sum(ramp_requests_total{version="v2",code="5xx"}) or vector(0)' }
      thresholdRange: { min: 1 }`)
  await deployV2(w)

  const done = await eventually(w.ramp, 'Aborted', 'AnalysisFailed')
  assert.equal(done.weight, 0)
  assert.match(done.message, /^Aborted: analysis prom failed: v2-errors 0 < 1 at \d\d:\d\d:\d\d \(1 failure > failureLimit 0\)$/)
  assert.equal(done.analysis.lastVerdict?.result, 'Failed')
  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Failed')
  const ms = measurementsOf(run, 'v2-errors')
  assert.deepEqual(ms.map((m) => [m.phase, m.value]), [['Failed', 0]], 'the run ends at the first failure')

  const abortedAt = Date.now()
  await waitFor('v1 to serve again', () => w.load.seen.some((r) => r.at > abortedAt && r.version === 'v1'))
  await w.load.stop()
  assert.deepEqual(w.load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
  assert.deepEqual(w.load.seen.filter((r) => r.at > abortedAt + 100 && r.version !== 'v1'), [], 'after the abort only v1 serves')
})

test('a Prometheus query over a series no scrape has seen is Inconclusive, and the rollout pauses for a person', async (t) => {
  const w = await world(t, `- name: prom
  interval: 1s
  count: 3
  metrics:
    - name: v9-ok
      prometheus: { address: $PROMETHEUS, query: 'sum(ramp_requests_total{version="v9"})' }
      thresholdRange: { min: 1 }`)
  await deployV2(w)

  const done = await eventually(w.ramp, 'Paused', 'InconclusiveAnalysis')
  assert.equal(done.analysis.lastVerdict?.result, 'Inconclusive')
  const ms = measurementsOf(done.analysis.last[0], 'v9-ok')
  assert.deepEqual(ms.map((m) => [m.phase, m.value]), [['Inconclusive', null]])
  assert.match(ms[0]?.message ?? '', /^v9-ok inconclusive: prometheus: no values found for sum\(ramp_requests_total\{version="v9"\}\), at \d\d:\d\d:\d\d$/)
  await w.load.stop()
  assert.deepEqual(w.load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
})
