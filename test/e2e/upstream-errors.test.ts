import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { backend } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { refusingUrl } from '../support/world/ports.js'
import { world } from '../support/world/world.js'

test('a backend slower than upstream.headersTimeoutMs gets 504 at the timeout, naming the version', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url, more: 'upstream: { headersTimeoutMs: 300 }' }) })
  const started = performance.now()
  const res = await request(`${w.urls.main}/slow?delay=3000`)
  const body = await res.body.text()
  const elapsed = performance.now() - started
  assert.equal(res.statusCode, 504)
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_TIMEOUT')
  assert.match(body, /version v1: backend http:\/\/127\.0\.0\.1:\d+ did not send response headers in time/)
  assert.ok(elapsed >= 280 && elapsed < 2000, `answered after ${elapsed.toFixed(0)} ms`)
  assert.equal(await w.metric('ramp_upstream_errors_total', { version: 'v1', reason: 'timeout' }), 1)
})

test('a stopped backend gets 502 fast, naming the version and the cause', async (t) => {
  const w = await world(t, { config: release({ v1: await refusingUrl() }) })
  const started = performance.now()
  const res = await request(`${w.urls.main}/`)
  const body = await res.body.text()
  const elapsed = performance.now() - started
  assert.equal(res.statusCode, 502)
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_CONNECT')
  assert.match(body, /version v1: backend http:\/\/127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)/)
  assert.ok(elapsed < 1000, `answered after ${elapsed.toFixed(0)} ms`)
  assert.equal(await w.metric('ramp_upstream_errors_total', { reason: 'connect' }), 1)
})

test('a backend that resets the connection before answering gets 502', async (t) => {
  const rude = createServer((socket) => socket.resetAndDestroy())
  await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => rude.close(() => r())))
  const port = (rude.address() as { port: number }).port
  const w = await world(t, { config: release({ v1: `http://127.0.0.1:${port}` }) })
  const res = await request(`${w.urls.main}/`)
  await res.body.dump()
  assert.equal(res.statusCode, 502)
  assert.equal(res.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_RESET')
})
