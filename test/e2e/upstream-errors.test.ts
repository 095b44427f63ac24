import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { backend, rampWith } from '../support/ramp.js'

/** A port that nothing listens on: bind one, note it, close it. */
async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

test('a backend slower than upstream.headersTimeoutMs gets 504 at the timeout, naming the version', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
upstream: { headersTimeoutMs: 300 }
`)
  const started = performance.now()
  const res = await request(`${ramp.urls.main}/slow?delay=3000`)
  const body = await res.body.text()
  const elapsed = performance.now() - started
  assert.equal(res.statusCode, 504)
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_TIMEOUT')
  assert.match(body, /version v1: backend http:\/\/127\.0\.0\.1:\d+ did not send response headers in time/)
  assert.ok(elapsed >= 280 && elapsed < 2000, `answered after ${elapsed.toFixed(0)} ms`)
  const metrics = await ramp.metrics.registry.getSingleMetricAsString('ramp_upstream_errors_total')
  assert.match(metrics, /ramp_upstream_errors_total\{version="v1",reason="timeout"\} 1/)
})

test('a stopped backend gets 502 fast, naming the version and the cause', async (t) => {
  const port = await deadPort()
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["http://127.0.0.1:${port}"] }
`)
  const started = performance.now()
  const res = await request(`${ramp.urls.main}/`)
  const body = await res.body.text()
  const elapsed = performance.now() - started
  assert.equal(res.statusCode, 502)
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_CONNECT')
  assert.match(body, /version v1: backend http:\/\/127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)/)
  assert.ok(elapsed < 1000, `answered after ${elapsed.toFixed(0)} ms`)
  const metrics = await ramp.metrics.registry.getSingleMetricAsString('ramp_upstream_errors_total')
  assert.match(metrics, /reason="connect"\} 1/)
})

test('a backend that resets the connection before answering gets 502', async (t) => {
  const rude = createServer((socket) => socket.resetAndDestroy())
  await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => rude.close(() => r())))
  const port = (rude.address() as { port: number }).port
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["http://127.0.0.1:${port}"] }
`)
  const res = await request(`${ramp.urls.main}/`)
  await res.body.dump()
  assert.equal(res.statusCode, 502)
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_RESET')
})
