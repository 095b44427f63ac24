import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clientResponseHeaders, upgradeRequestHeaders, upstreamRequestHeaders, type ForwardContext } from '../../src/proxy/headers.js'

const ctx: ForwardContext = { clientAddress: '10.0.0.9', proto: 'http', host: 'shop.example', upstreamHost: '127.0.0.1:9001', preserveHost: true, versionHeader: 'x-ramp-version', version: 'v2' }

test('upstream request headers: hop-by-hop and Connection-named fields dropped, forwarding fields set, the client\'s object untouched', () => {
  const client = { host: 'shop.example', accept: '*/*', connection: 'keep-alive, X-Secret', 'x-secret': 's', te: 'trailers', 'keep-alive': 'timeout=5', upgrade: 'h2c', 'proxy-connection': 'x', 'x-forwarded-for': '1.2.3.4' }
  const before = { ...client }
  const out = upstreamRequestHeaders(client, ctx)
  assert.deepEqual(out, { host: 'shop.example', accept: '*/*', 'x-forwarded-for': '1.2.3.4, 10.0.0.9', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop.example', 'x-ramp-version': 'v2' })
  assert.deepEqual(client, before)
})

test('client response headers: hop-by-hop dropped, the version named when asked, the backend\'s object untouched', () => {
  const backend = { 'content-type': 'text/plain', 'content-length': '2', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', trailer: 'x-t' }
  const before = { ...backend }
  assert.deepEqual(clientResponseHeaders(backend, 'x-ramp-version', 'v1'), { 'content-type': 'text/plain', 'content-length': '2', 'x-ramp-version': 'v1' })
  assert.deepEqual(clientResponseHeaders(backend, null, 'v1'), { 'content-type': 'text/plain', 'content-length': '2' })
  assert.deepEqual(backend, before)
})

test('HTTP/2 pseudo-headers are not forwarded as HTTP/1.1 headers', () => {
  const out = upstreamRequestHeaders({ ':method': 'GET', ':path': '/a', ':authority': 'shop.example', accept: '*/*' }, { ...ctx, host: 'shop.example' })
  assert.deepEqual(Object.keys(out).filter((k) => k.startsWith(':')), [])
  assert.equal(out.accept, '*/*')
})

test('an upgrade keeps the one hop-by-hop pair it needs', () => {
  const out = upgradeRequestHeaders({ host: 'shop.example', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, ctx)
  assert.equal(out.connection, 'upgrade')
  assert.equal(out.upgrade, 'websocket')
  assert.equal(out['sec-websocket-key'], 'k')
})
