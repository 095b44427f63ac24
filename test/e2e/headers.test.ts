import assert from 'node:assert/strict'
import { test } from 'node:test'
import { header, rawRequest } from '../support/wire/raw-client.js'
import { release } from '../support/world/config.js'
import { echoHeaders, recorder } from '../support/world/recorder.js'
import { world } from '../support/world/world.js'

// Sent raw: clients such as undici refuse to send hop-by-hop headers.
const hopByHopRequest = [
  'GET /echo HTTP/1.1',
  'Host: shop.example.com',
  'Connection: keep-alive, x-client-secret',
  'X-Client-Secret: hidden',
  'Keep-Alive: timeout=999',
  'Proxy-Connection: keep-alive',
  'TE: trailers',
  'Trailer: x-checksum',
  'Upgrade: h2c',
  'X-Forwarded-For: 203.0.113.7',
  'X-Client-Visible: yes',
]

test('hop-by-hop headers are stripped both ways; x-forwarded-* are set; Host is kept; x-ramp-version is sent', async (t) => {
  const be = await recorder(t, echoHeaders)
  const w = await world(t, { config: release({ v1: be.url, more: 'versionHeader: { response: true }' }) })
  const res = await rawRequest(t, w.urls.main, `${hopByHopRequest.join('\r\n')}\r\n\r\n`)
  assert.equal(res.status, 200)

  const up = be.arrived().at(-1)?.headers ?? {}
  for (const h of ['x-client-secret', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']) {
    assert.equal(up[h], undefined, `request header ${h} reached the backend`)
  }
  assert.doesNotMatch(String(up.connection ?? ''), /x-client-secret/)
  assert.equal(up['x-client-visible'], 'yes')
  assert.equal(up['x-forwarded-for'], '203.0.113.7, 127.0.0.1')
  assert.equal(up['x-forwarded-proto'], 'http')
  assert.equal(up['x-forwarded-host'], 'shop.example.com')
  assert.equal(up.host, 'shop.example.com')
  assert.equal(up['x-ramp-version'], 'v1')

  for (const h of ['x-upstream-secret', 'proxy-connection', 'upgrade']) {
    assert.deepEqual(header(res, h), [], `response header ${h} reached the client`)
  }
  // Trailer is end-to-end (RFC 9110 6.6.2): it announces the trailers ramp forwards.
  assert.deepEqual(header(res, 'trailer'), ['x-checksum'])
  assert.ok(!header(res, 'keep-alive').includes('timeout=1234'), "the backend's keep-alive reached the client")
  assert.doesNotMatch(header(res, 'connection').join(', '), /x-upstream-secret/)
  assert.deepEqual(header(res, 'x-upstream-visible'), ['yes'])
  assert.deepEqual(header(res, 'x-ramp-version'), ['v1'], 'the serving version is returned when versionHeader.response is on')
})

test('preserveHost: false sends the backend\'s host, and the version header is not returned by default', async (t) => {
  const be = await recorder(t, echoHeaders)
  const w = await world(t, { config: release({ v1: be.url, more: 'preserveHost: false' }) })
  const res = await rawRequest(t, w.urls.main, 'GET / HTTP/1.1\r\nHost: shop.example.com\r\n\r\n')
  assert.equal(res.status, 200)
  assert.equal(be.arrived().at(-1)?.headers.host, new URL(be.url).host)
  assert.equal(be.arrived().at(-1)?.headers['x-forwarded-host'], 'shop.example.com')
  assert.equal(be.arrived().at(-1)?.headers['x-forwarded-for'], '127.0.0.1')
  assert.deepEqual(header(res, 'x-ramp-version'), [])
})
