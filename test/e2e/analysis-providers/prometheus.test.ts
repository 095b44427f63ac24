import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { backends, type DemoBackend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { freePort } from '../../support/world/ports.js'
import type { Load } from '../../support/world/traffic.js'
import { world, type World } from '../../support/world/world.js'
import { measurementsOf, startPrometheus, type Prometheus } from './support.js'

// .ci/run installs Debian's prometheus package: a missing binary is a failure here, not a skip.

interface Scraped {
  w: World
  prom: Prometheus
  v2: DemoBackend
  load: Load
}

/**
 * ramp with only its stable version, a real Prometheus scraping ramp's own /metrics, and load
 * on the main listener. The rollout of v2 is left to the test: started at boot, its analysis
 * would query a Prometheus that does not exist yet.
 */
async function scraped(t: TestContext, template: string): Promise<Scraped> {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const promPort = await freePort()
  const w = await world(t, {
    config: release({
      v1: v1.url,
      strategy: 'canary:\n  steps:\n    - setWeight: 50\n    - analysis: { templates: [prom] }\n    - setWeight: 100',
      more: `analysis:\n  templates:\n${template.replaceAll('$PROMETHEUS', `http://127.0.0.1:${promPort}`).replace(/^/gm, '    ')}`,
    }),
  })
  const prom = await startPrometheus(t, promPort, new URL(w.urls.admin).host)
  // Prometheus 2.42 hands new targets to its scrapers after ~5 s, so this is most of the setup.
  await waitFor('prometheus to scrape ramp', async () => (await prom.query('up{job="ramp"}')) === 1, 15_000)
  return { w, prom, v2, load: w.load() }
}

async function deployV2(s: Scraped): Promise<void> {
  const started = await s.w.admin.deploy({ name: 'v2', backends: [s.v2.url] })
  assert.equal(started.status, 201, JSON.stringify(started.body))
}

test('a Prometheus query over ramp\'s own request counter passes the analysis step and the rollout promotes', async (t) => {
  // The step starts the moment v2 takes traffic, before any scrape has seen it: the delay gives
  // Prometheus two scrapes, or the first measurement would be an empty vector (Inconclusive).
  const s = await scraped(t, `- name: prom
  interval: 1s
  count: 3
  initialDelay: 2s
  metrics:
    - name: v2-ok
      prometheus: { address: $PROMETHEUS, query: 'sum(ramp_requests_total{version="v2",code="2xx"})' }
      thresholdRange: { min: 1 }`)
  await deployV2(s)

  const done = await s.w.eventually('Healthy', 'Promoted')
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
  const now = await s.prom.query('sum(ramp_requests_total{version="v2",code="2xx"})')
  assert.ok(now !== null && now >= (values.at(-1) as number), `prometheus now says ${now}`)
  const history = await s.w.history()
  const verdict = history.find((e) => e.event === 'analysisResult')
  assert.match(verdict?.detail ?? '', /^analysis prom Successful; /, JSON.stringify(history))

  await s.load.stop()
  assert.ok(s.load.seen.length > 0)
  assert.deepEqual(s.load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
  assert.ok(s.load.seen.some((r) => r.version === 'v2'), 'v2 took traffic during the analysis')
})

test('a Prometheus query that is 0 against min 1 fails the analysis and aborts, naming the metric and the value', async (t) => {
  const s = await scraped(t, `- name: prom
  interval: 1s
  count: 3
  metrics:
    - name: v2-errors
      prometheus: { address: $PROMETHEUS, query: 'sum(ramp_requests_total{version="v2",code="5xx"}) or vector(0)' }
      thresholdRange: { min: 1 }`)
  await deployV2(s)

  const done = await s.w.eventually('Aborted', 'AnalysisFailed')
  assert.equal(done.weight, 0)
  assert.match(done.message, /^Aborted: analysis prom failed: v2-errors 0 < 1 at \d\d:\d\d:\d\d \(1 failure > failureLimit 0\)$/)
  assert.equal(done.analysis.lastVerdict?.result, 'Failed')
  const run = done.analysis.last[0]
  assert.equal(run?.phase, 'Failed')
  const ms = measurementsOf(run, 'v2-errors')
  assert.deepEqual(ms.map((m) => [m.phase, m.value]), [['Failed', 0]], 'the run ends at the first failure')

  const abortedAt = Date.now()
  await waitFor('v1 to serve again', () => s.load.seen.some((r) => r.at > abortedAt && r.version === 'v1'))
  await s.load.stop()
  assert.deepEqual(s.load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
  assert.deepEqual(s.load.seen.filter((r) => r.at > abortedAt + 100 && r.version !== 'v1'), [], 'after the abort only v1 serves')
})

test('a Prometheus query over a series no scrape has seen is Inconclusive, and the rollout pauses for a person', async (t) => {
  const s = await scraped(t, `- name: prom
  interval: 1s
  count: 3
  metrics:
    - name: v9-ok
      prometheus: { address: $PROMETHEUS, query: 'sum(ramp_requests_total{version="v9"})' }
      thresholdRange: { min: 1 }`)
  await deployV2(s)

  const done = await s.w.eventually('Paused', 'InconclusiveAnalysis')
  assert.equal(done.analysis.lastVerdict?.result, 'Inconclusive')
  const ms = measurementsOf(done.analysis.last[0], 'v9-ok')
  assert.deepEqual(ms.map((m) => [m.phase, m.value]), [['Inconclusive', null]])
  assert.match(ms[0]?.message ?? '', /^v9-ok inconclusive: prometheus: no values found for sum\(ramp_requests_total\{version="v9"\}\), at \d\d:\d\d:\d\d$/)
  await s.load.stop()
  assert.deepEqual(s.load.seen.filter((r) => r.status !== 200), [], 'every client request answered 200')
})
