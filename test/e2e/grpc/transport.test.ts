import assert from 'node:assert/strict'
import { test } from 'node:test'
import { selfSigned } from '../../support/certs.js'
import { echoClient, grpcBackend, sayMany, targetOf } from '../../support/grpc.js'
import { tlsListener } from '../../support/wire/h2.js'
import { release } from '../../support/world/config.js'
import { world } from '../../support/world/world.js'

const h2c = 'listen: { http2: true }'

test('gRPC over TLS on both sides: a TLS client on an http2 listener, an https gRPC backend reached over HTTP/2 by ALPN', async (t) => {
  const cert = selfSigned(t)
  const v1 = await grpcBackend(t, { name: 'v1', tls: cert })
  assert.match(v1.url, /^https:/)
  const w = await world(t, { config: `${tlsListener(cert)}${release({ v1: v1.url, more: 'upstream: { tls: { insecureSkipVerify: true } }' })}` })
  assert.deepEqual(await sayMany(echoClient(t, targetOf(w.urls.main), cert.cert), 50), { v1: 50 })
})

test('a backend that sends GOAWAY every 200 ms (a maximum connection age): every call of a steady stream still succeeds', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1', serverOptions: { 'grpc.max_connection_age_ms': 200, 'grpc.max_connection_age_grace_ms': 5000 } })
  const w = await world(t, { config: release({ v1: v1.url, more: h2c }) })
  const client = echoClient(t, targetOf(w.urls.main))
  const started = Date.now()
  const counts: Record<string, number> = {}
  // Calls for over a second: several connection ages, each ended by a GOAWAY.
  while (Date.now() - started < 1200) for (const [k, n] of Object.entries(await sayMany(client, 50, {}, 5))) counts[k] = (counts[k] ?? 0) + n
  assert.deepEqual(Object.keys(counts), ['v1'], JSON.stringify(counts))
})

test('the backend\'s concurrent-stream limit holds: 20 calls at once to a backend allowing 2 streams a connection all succeed, never more than 2 at once on one', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1', delayMs: 100, serverOptions: { 'grpc.max_concurrent_streams': 2 } })
  const w = await world(t, { config: release({ v1: v1.url, more: `${h2c}\nupstream: { connectionsPerBackend: 3 }` }) })
  assert.deepEqual(await sayMany(echoClient(t, targetOf(w.urls.main)), 60, {}, 20), { v1: 60 })
  assert.ok(v1.maxInFlightPerConnection() <= 2, `${v1.maxInFlightPerConnection()} calls at once on one connection`)
  assert.ok(v1.maxInFlightPerConnection() === 2, 'the calls did share connections')
})

test('calls that end normally keep the backend\'s connection: 3000 unary calls reach it on one connection, not cut by its reset-flood defence', async (t) => {
  // A stream reset after every finished call (RST_STREAM) is what an HTTP/2 server's defence
  // against rapid reset counts: nghttp2's (Node's, grpc-js's) answers past 1000 with GOAWAY.
  const v1 = await grpcBackend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url, more: h2c }) })
  assert.deepEqual(await sayMany(echoClient(t, targetOf(w.urls.main)), 3000, {}, 50), { v1: 3000 })
  assert.equal(v1.connections(), 1, 'one connection from ramp to the backend')
})
