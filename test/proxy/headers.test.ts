import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clientRawHeaders, clientResponseHeaders, rawField, upgradeRequestHeaders, upstreamRawHeaders, upstreamRequestHeaders, type ForwardContext } from '../../src/proxy/headers.js'

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

test('raw upstream headers: names as sent, repeated lines kept in order, Host first, hop-by-hop, Connection-named, pseudo, expect and the client\'s own forwarding and version lines replaced', () => {
  const raw = [':authority', 'shop.example', 'Host', 'shop.example', 'Accept', '*/*', 'X-Multi', 'a', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'x-multi', 'b',
    'TE', 'trailers', 'Expect', '100-continue', 'X-Forwarded-For', '1.2.3.4', 'x-forwarded-for', '5.6.7.8', 'X-Forwarded-Proto', 'ftp', 'x-ramp-version', 'v9']
  assert.deepEqual(upstreamRawHeaders(raw, 'keep-alive, X-Secret', ctx), [
    'host', 'shop.example', 'Accept', '*/*', 'X-Multi', 'a', 'x-multi', 'b',
    'x-forwarded-for', '1.2.3.4, 5.6.7.8, 10.0.0.9', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'shop.example', 'x-ramp-version', 'v2',
  ])
  assert.deepEqual(upstreamRawHeaders(['Host', 'a'], undefined, { ...ctx, host: 'a', preserveHost: false }).slice(0, 2), ['host', '127.0.0.1:9001'])
})

test('raw response headers: bytes as names and values, repeated Set-Cookie lines kept, hop-by-hop and Connection-named dropped, Trailer kept', () => {
  const raw = ['Set-Cookie', 'a=1', 'Connection', 'keep-alive, X-Private', 'set-cookie', 'b=2', 'Keep-Alive', 'timeout=5', 'X-Private', 'p', 'Transfer-Encoding', 'chunked', 'Trailer', 'x-sum', 'Content-Type', 'text/plain; charset=\u00e9'].map((v) => Buffer.from(v, 'latin1'))
  assert.deepEqual(clientRawHeaders(raw, 'x-ramp-version', 'v1'), ['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'Trailer', 'x-sum', 'Content-Type', 'text/plain; charset=\u00e9', 'x-ramp-version', 'v1'])
  assert.deepEqual(clientRawHeaders(raw.slice(0, 2), null, 'v1'), ['Set-Cookie', 'a=1'])
})

test('a Connection field of one token: the field it names is dropped (any case, spaces around it); keep-alive and close name none', () => {
  const response = (connection: string): string[] => clientRawHeaders(['Connection', connection, 'X-Private', 'p', 'UPGRADE', 'h2c', 'Proxy-Connection', 'x', 'Date', 'd'].map((v) => Buffer.from(v, 'latin1')), null, 'v1')
  assert.deepEqual(response(' X-Private '), ['Date', 'd'])
  assert.deepEqual(response('Keep-Alive'), ['X-Private', 'p', 'Date', 'd'])
  assert.deepEqual(response('close'), ['X-Private', 'p', 'Date', 'd'])
  assert.deepEqual(upstreamRawHeaders(['Host', 'a', 'X-Secret', 's', 'Accept', '*/*'], 'X-Secret', ctx).slice(2, 4), ['Accept', '*/*'])
})

test('rawField finds a field of a raw list whatever its case, its first value, or nothing', () => {
  const raw = ['content-type', 'application/grpc', 'Grpc-Retry-Pushback-Ms', '0', 'grpc-status', '14', 'grpc-status', '2']
  assert.equal(rawField(raw, 'grpc-retry-pushback-ms'), '0')
  assert.equal(rawField(raw, 'grpc-status'), '14')
  assert.equal(rawField(raw, 'grpc-message'), undefined)
  assert.equal(rawField([Buffer.from('Grpc-Status'), Buffer.from('4')], 'grpc-status'), '4', 'undici\'s buffers too')
})
