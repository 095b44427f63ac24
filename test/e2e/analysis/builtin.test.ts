import assert from 'node:assert/strict'
import { test } from 'node:test'
import { relativeError } from '../../../src/analysis/histogram.js'
import { seeded } from '../../support/prng.js'
import { backend, backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const analysisConfig = (v1: string, v2: string, metric: string, template = ''): string => release({
  v1, v2,
  strategy: 'canary:\n  steps:\n    - setWeight: 50\n    - analysis: { templates: [canary-health] }\n    - setWeight: 100',
  more: `analysis:
  templates:
    - name: canary-health
      interval: 1s
      count: 4
      failureLimit: 1
      minRequests: 20
${template}      metrics:
        - ${metric}`,
})

test('a canary answering 5% of requests with 500 aborts by itself within failureLimit + 1 intervals, and clients saw errors only from it', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', failRate: 0.05, random: seeded(5) })
  const w = await world(t, { config: analysisConfig(v1.url, v2.url, '{ name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } }') })
  // Traffic flows before the canary joins: the run starts as it does, and its first window
  // must not be spent on the clients' first connections.
  const load = w.load({ connections: 8 })
  await w.routed()
  await w.until('the analysis to start', (v) => v.reason === 'RunningAnalysis' || v.phase === 'Aborted', 10_000)
  const startedAt = Date.now()
  const r = await w.until('the rollout to abort', (v) => v.phase === 'Aborted', 15_000)
  const took = Date.now() - startedAt
  await load.stop()

  // failureLimit 1 means the second failed measurement decides: two 1 s intervals, plus
  // the time a measurement takes and one slot of window alignment.
  assert.ok(took <= (1 + 1) * 1000 + 1500, `aborted ${took} ms after the analysis started`)
  assert.equal(r.reason, 'AnalysisFailed')
  assert.match(r.message, /^Aborted: .*canary-health failed: success-rate 0\.9\d+ < 0\.99 over \d+ requests/)
  const failed = load.seen.filter((s) => s.status !== 200)
  assert.ok(failed.length > 0, 'the faulty canary did fail some requests')
  assert.deepEqual([...new Set(failed.map((s) => s.version))], ['v2'], 'only the canary failed requests')
  const afterAbort = load.seen.filter((s) => s.at > startedAt + took + 200)
  assert.ok(afterAbort.every((s) => s.version === 'v1'), 'after the abort only v1 served')
})

test('a healthy canary passes its analysis and promotes', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: analysisConfig(v1.url, v2.url, '{ name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } }') })
  await w.routed()
  const load = w.load({ connections: 8 })
  const r = await w.until('the promotion', (v) => v.reason === 'Promoted', 15_000)
  await load.stop()
  const measurements = r.analysis.last[0]?.templates[0]?.measurements['success-rate'] ?? []
  assert.equal(measurements.length, 4, 'count: 4 measurements')
  assert.ok(measurements.every((m) => m.phase === 'Successful' && m.value === 1 && (m.sampleSize ?? 0) >= 20), JSON.stringify(measurements))
  assert.ok(load.seen.every((s) => s.status === 200))
})

test('a canary with 300 ms added latency fails the p99 metric', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await backend(t, { name: 'v2', delayMs: 300 })
  const w = await world(t, { config: analysisConfig(v1.url, v2.url, '{ name: p99, builtin: latencyP99, thresholdRange: { max: 200ms } }') })
  await w.routed()
  const load = w.load({ connections: 16 })
  const r = await w.until('the abort', (v) => v.phase === 'Aborted', 15_000)
  await load.stop()
  const p99 = Number(/p99 (\d+(?:\.\d+)?) > 200 over \d+ requests/.exec(r.message)?.[1])
  // ramp times a request inside the client's time for it: at least the canary's 300 ms, at most
  // the slowest answer the clients saw from it (on a loaded machine, well past 400 ms), each
  // give or take the histogram's bucket.
  const slowest = Math.max(...load.seen.filter((s) => s.version === 'v2').map((s) => s.endedAt - s.startedAt))
  assert.ok(p99 >= 300 && p99 <= slowest * (1 + relativeError), `${r.message}; the clients' slowest canary answer took ${slowest.toFixed(0)} ms`)
})

test('too little traffic pauses the rollout Inconclusive instead of passing it', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: analysisConfig(v1.url, v2.url, '{ name: success-rate, builtin: successRate, thresholdRange: { min: 0.99 } }', '      inconclusiveLimit: 1\n') })
  await w.routed()
  const r = await w.until('the inconclusive pause', (v) => v.reason === 'InconclusiveAnalysis', 15_000)
  assert.equal(r.phase, 'Paused')
  assert.match(r.message, /fewer than minRequests 20/)
  assert.equal((await w.rollout()).routing.weight, 50, 'the weight stays where it was; nothing was promoted')
  const promoted = await w.admin.promote()
  assert.equal(promoted.status, 200, 'a person can promote past an inconclusive analysis')
})

test('errorRateDelta does not blame the canary when both versions fail equally (a shared dependency is down)', async (t) => {
  const v1 = await backend(t, { name: 'v1', failRate: 0.2, random: seeded(1) })
  const v2 = await backend(t, { name: 'v2', failRate: 0.2, random: seeded(2) })
  const w = await world(t, { config: analysisConfig(v1.url, v2.url, '{ name: worse-than-stable, builtin: errorRateDelta, thresholdRange: { max: 0.1 } }') })
  await w.routed()
  const load = w.load({ connections: 8 })
  const r = await w.until('the promotion', (v) => v.reason === 'Promoted' || v.phase === 'Aborted', 15_000)
  await load.stop()
  assert.equal(r.reason, 'Promoted', r.message)
  const failedShare = load.seen.filter((s) => s.status === 500).length / load.seen.length
  assert.ok(failedShare > 0.1, `both versions really failed (${failedShare})`)
})
