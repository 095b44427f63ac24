import assert from 'node:assert/strict'
import { test } from 'node:test'
import { echoClient, grpcBackend, sayMany, targetOf } from '../../support/grpc.js'
import { seeded } from '../../support/prng.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const template = `listen: { http2: true }
analysis:
  templates:
    - name: canary-health
      interval: 1s
      failureLimit: 0
      minRequests: 20
      # A window short of calls (a loaded machine) is inconclusive; the run goes on measuring.
      inconclusiveLimit: 1000
      metrics:
        - { name: success-rate, builtin: successRate, thresholdRange: { min: 0.97 } }
        - { name: p99, builtin: latencyP99, thresholdRange: { max: 5s } }`

test('a canary failing 10% of its calls with UNAVAILABLE is aborted by builtin analysis, though every HTTP status was 200', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1' })
  const v2 = await grpcBackend(t, { name: 'v2', unavailableRate: 0.1, random: seeded(3) })
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: 'canary:\n  analysis: { templates: [ canary-health ] }\n  steps: [ { setWeight: 50 }, { pause: {} } ]', more: template }) })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  const seen: Record<string, number> = {}
  let view = await w.rollout()
  while (view.phase !== 'Aborted') {
    for (const [k, n] of Object.entries(await sayMany(client, 100, {}, 10))) seen[k] = (seen[k] ?? 0) + n
    view = await w.rollout()
    assert.ok((seen.v1 ?? 0) < 20_000, `not aborted after ${JSON.stringify(seen)}: ${view.phase}/${view.reason}, analysis ${JSON.stringify(view.analysis)}`)
  }
  assert.equal(view.reason, 'AnalysisFailed')
  assert.match(view.message, /success-rate 0\.\d+ < 0\.97/)
  assert.ok((seen.UNAVAILABLE ?? 0) > 0, `the clients saw the canary's UNAVAILABLE: ${JSON.stringify(seen)}`)
  // Each of those calls was an HTTP 200: the code label names the gRPC status instead of the class.
  assert.ok(await w.metric('ramp_requests_total', { version: 'v2', code: 'UNAVAILABLE' }) > 0)
  assert.equal(await w.metric('ramp_requests_total', { version: 'v2', code: '2xx' }), 0)
  assert.equal(await w.metric('ramp_requests_total', { version: 'v2', code: '5xx' }), 0)
  assert.ok(await w.metric('ramp_requests_total', { version: 'v1', code: 'OK' }) > 0)
  const measured = view.analysis.last[0]?.templates[0]?.measurements.p99 ?? []
  assert.ok(measured.some((m) => m.phase === 'Successful' && typeof m.value === 'number'), `latency is measured on gRPC calls: ${JSON.stringify(measured)}`)
})

test('grpc.errorCodes decides what fails: with UNAVAILABLE left out, the same canary passes', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1' })
  const v2 = await grpcBackend(t, { name: 'v2', unavailableRate: 0.1, random: seeded(3) })
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, strategy: 'canary:\n  steps: [ { setWeight: 50 }, { analysis: { templates: [ canary-health ] } }, { pause: {} } ]', more: `${template}\n      count: 2\ngrpc: { errorCodes: [ INTERNAL ] }` }) })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  let view = await w.rollout()
  for (let round = 0; view.reason !== 'CanaryPauseStep'; round++) {
    await sayMany(client, 100, {}, 10)
    view = await w.rollout()
    assert.ok(round < 100 && view.phase !== 'Aborted', `${view.phase}/${view.reason}: ${view.message}`)
  }
  assert.ok(await w.metric('ramp_requests_total', { version: 'v2', code: 'UNAVAILABLE' }) > 0, 'the canary did fail calls')
})
