import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { echoBackend } from '../support/echo-backend.js'
import { rampWith } from '../support/ramp.js'

/** Sends a raw HTTP/1.1 request (clients such as undici refuse to send hop-by-hop headers). */
async function raw(url: string, lines: string[]): Promise<{ status: number; headers: Record<string, string> }> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  let text = ''
  for await (const chunk of socket) {
    text += (chunk as Buffer).toString('latin1')
    if (text.includes('\r\n\r\n')) break
  }
  socket.destroy()
  const [head] = text.split('\r\n\r\n') as [string]
  const [statusLine, ...headerLines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const l of headerLines) {
    const i = l.indexOf(':')
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim()
  }
  return { status: Number(statusLine?.split(' ')[1]), headers }
}

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
  const be = await echoBackend(t)
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${be.url}"] }
versionHeader: { response: true }
`)
  const res = await raw(ramp.urls.main, hopByHopRequest)
  assert.equal(res.status, 200)

  const up = be.last()
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
    assert.equal(res.headers[h], undefined, `response header ${h} reached the client`)
  }
  // Trailer is end-to-end (RFC 9110 6.6.2): it announces the trailers ramp forwards.
  assert.equal(res.headers.trailer, 'x-checksum')
  assert.notEqual(res.headers['keep-alive'], 'timeout=1234', "the backend's keep-alive reached the client")
  assert.doesNotMatch(res.headers.connection ?? '', /x-upstream-secret/)
  assert.equal(res.headers['x-upstream-visible'], 'yes')
  assert.equal(res.headers['x-ramp-version'], 'v1', 'the serving version is returned when versionHeader.response is on')
})

test('preserveHost: false sends the backend\'s host, and the version header is not returned by default', async (t) => {
  const be = await echoBackend(t)
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${be.url}"] }
preserveHost: false
`)
  const res = await raw(ramp.urls.main, ['GET / HTTP/1.1', 'Host: shop.example.com'])
  assert.equal(res.status, 200)
  assert.equal(be.last().host, new URL(be.url).host)
  assert.equal(be.last()['x-forwarded-host'], 'shop.example.com')
  assert.equal(be.last()['x-forwarded-for'], '127.0.0.1')
  assert.equal(res.headers['x-ramp-version'], undefined)
})
