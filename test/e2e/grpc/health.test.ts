import assert from 'node:assert/strict'
import { test } from 'node:test'
import { echoClient, grpcBackend, sayMany, targetOf } from '../../support/grpc.js'
import { release } from '../../support/world/config.js'
import { sleep } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

test('gRPC health checks take a NOT_SERVING backend out of the pool and bring it back once SERVING', async (t) => {
  const a = await grpcBackend(t, { name: 'a' })
  const b = await grpcBackend(t, { name: 'b' })
  const checks = 'healthCheck: { enabled: true, intervalMs: 50, timeoutMs: 500, unhealthyThreshold: 2, healthyThreshold: 2, grpc: { service: demo.Echo } }'
  const w = await world(t, { config: release({ v1: [a.url, b.url], more: `listen: { http2: true }\n${checks}` }) })
  const client = echoClient(t, targetOf(w.urls.main))
  const both = await sayMany(client, 100)
  assert.ok((both.a ?? 0) > 0 && (both.b ?? 0) > 0, JSON.stringify(both))

  b.setHealth('NOT_SERVING')
  await w.metricReaches('ramp_backend_up', { backend: b.url }, 0)
  assert.deepEqual(await sayMany(client, 100), { a: 100 })
  const seen = await w.admin.backendHealth(b.url)
  assert.equal(seen?.state, 'unhealthy')
  assert.equal(seen?.lastCheck?.detail, 'gRPC health NOT_SERVING')

  b.setHealth('SERVING')
  await w.metricReaches('ramp_backend_up', { backend: b.url }, 1)
  const back = await sayMany(client, 100)
  assert.ok((back.b ?? 0) > 0, JSON.stringify(back))
})

test('readiness with grpc: a new version joins only once its health service says SERVING', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1' })
  const v2 = await grpcBackend(t, { name: 'v2', health: 'NOT_SERVING' })
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, readinessMs: null, more: 'listen: { http2: true }\nreadiness: { intervalMs: 20, grpc: { service: demo.Echo } }' }) })
  await sleep(300)
  const waiting = await w.rollout()
  assert.equal(waiting.reason, 'WaitingForReadiness')
  assert.equal(waiting.routing.canary, null)
  v2.setHealth('SERVING')
  await w.routed('v2')
  const counts = await sayMany(echoClient(t, targetOf(w.urls.main)), 200)
  assert.ok((counts.v2 ?? 0) > 0, JSON.stringify(counts))
})

test('an h2c backend without the health service is ready by default (it answers gRPC), and not when grpc.service asks for it', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1', health: null })
  const v2 = await grpcBackend(t, { name: 'v2', health: null })
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: 'listen: { http2: true }' }) })
  await w.routed('v2')
  const strict = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, readinessMs: null, more: 'listen: { http2: true }\nreadiness: { intervalMs: 20, grpc: { service: "" } }' }) })
  await sleep(300)
  assert.equal((await strict.rollout()).reason, 'WaitingForReadiness')
})
