import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { echoClient, grpc, grpcBackend, say, targetOf } from '../../support/grpc.js'
import { h2request, h2session } from '../../support/wire/h2.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const h2c = 'listen: { http2: true }'

/** A Say call's request as it goes on the wire: one gRPC frame of `Msg { text: "hi" }`. */
const sayHi = Buffer.from([0, 0, 0, 0, 4, 0x0a, 2, 0x68, 0x69])

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

test('a backend that refuses connections: the gRPC client gets UNAVAILABLE in a trailers-only answer (HTTP 200) naming it', async (t) => {
  const url = `h2c://127.0.0.1:${await closedPort()}`
  const w = await world(t, { config: release({ v1: url, more: h2c }) })
  const r = await say(echoClient(t, targetOf(w.urls.main)), 'hi')
  assert.equal(r.error?.code, grpc.status.UNAVAILABLE)
  assert.match(r.error?.details ?? '', /version v1: backend h2c:\/\/127\.0\.0\.1:\d+ refused the connection/)
  assert.deepEqual(r.trailers?.get('x-ramp-error'), ['RAMP_ERR_UPSTREAM_CONNECT'])

  const raw = await h2request(await h2session(t, w.urls.main), { ':method': 'POST', ':path': '/demo.Echo/Say', 'content-type': 'application/grpc', te: 'trailers' }, sayHi)
  assert.equal(raw.headers[':status'], 200)
  assert.equal(raw.headers['content-type'], 'application/grpc')
  assert.equal(raw.headers['grpc-status'], '14')
  assert.equal(raw.body, '', 'no body: a gRPC client reads nothing but the status')
})

test('a call without a deadline to a backend too slow for upstream.headersTimeoutMs: the gRPC client gets DEADLINE_EXCEEDED from ramp', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1', delayMs: 1500 })
  const w = await world(t, { config: release({ v1: v1.url, more: `${h2c}\nupstream: { headersTimeoutMs: 100 }` }) })
  const r = await say(echoClient(t, targetOf(w.urls.main)), 'hi', {}, Infinity)
  assert.equal(r.error?.code, grpc.status.DEADLINE_EXCEEDED)
  assert.match(r.error?.details ?? '', /did not send response headers in time/)
  assert.deepEqual(r.trailers?.get('x-ramp-error'), ['RAMP_ERR_UPSTREAM_TIMEOUT'])
})

test('grpc-timeout bounds the upstream call: past it ramp cancels the call and answers DEADLINE_EXCEEDED', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1', delayMs: 1500 })
  const w = await world(t, { config: release({ v1: v1.url, more: h2c }) })
  const raw = await h2request(await h2session(t, w.urls.main), { ':method': 'POST', ':path': '/demo.Echo/Say', 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '100m' }, sayHi)
  assert.equal(raw.headers[':status'], 200)
  assert.equal(raw.headers['grpc-status'], '4')
  assert.equal(raw.headers['x-ramp-error'], 'RAMP_ERR_UPSTREAM_TIMEOUT')
  assert.match(decodeURIComponent(String(raw.headers['grpc-message'])), /did not finish the call within its grpc-timeout/)
  assert.equal(v1.cancelled(), 1, 'the backend saw the call cancelled')
})

test('on the same h2c listener, a request that is not gRPC gets ramp\'s usual text error', async (t) => {
  const url = `h2c://127.0.0.1:${await closedPort()}`
  const w = await world(t, { config: release({ v1: url, more: h2c }) })
  const plain = await h2request(await h2session(t, w.urls.main), { ':method': 'GET', ':path': '/' })
  assert.equal(plain.headers[':status'], 502)
  assert.match(plain.body, /^502 version v1: backend h2c:\/\/127\.0\.0\.1:\d+ refused the connection/)
})

test('a call whose backend refuses the connection is retried on another backend of the version, its body whole', async (t) => {
  const up = await grpcBackend(t, { name: 'up' })
  const down = `h2c://127.0.0.1:${await closedPort()}`
  const w = await world(t, { config: release({ v1: [down, up.url], more: `${h2c}\noutlier: { enabled: false }` }) })
  const client = echoClient(t, targetOf(w.urls.main))
  for (let i = 0; i < 20; i++) {
    const r = await say(client, `call ${i}`)
    assert.equal(r.error, null, `call ${i}: ${r.error?.details ?? ''}`)
    assert.deepEqual(r.msg, { text: `call ${i}`, version: 'up' }, 'the body reached the backend that answered')
  }
  assert.ok(await w.metric('ramp_retries_total', { reason: 'connect', result: 'retried' }) > 0, 'some calls went to the dead backend first')
})

test('a call the backend failed after it got it is not retried: gRPC calls are not known to be idempotent', async (t) => {
  const a = await grpcBackend(t, { name: 'a', unavailableRate: 1 })
  const b = await grpcBackend(t, { name: 'b', unavailableRate: 1 })
  const w = await world(t, { config: release({ v1: [a.url, b.url], more: `${h2c}\noutlier: { enabled: false }` }) })
  const client = echoClient(t, targetOf(w.urls.main))
  for (let i = 0; i < 10; i++) assert.equal((await say(client, 'x')).error?.code, grpc.status.UNAVAILABLE)
  assert.equal(a.calls() + b.calls(), 10, 'each call reached one backend once')
})
