import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Agent, request } from 'undici'
import { selfSigned } from '../support/certs.js'
import { open, reply, wsBackend, wsUrl } from '../support/websocket.js'
import { h2request, h2session, tlsListener } from '../support/wire/h2.js'
import { backend, backends } from '../support/world/backends.js'
import { release } from '../support/world/config.js'
import { echoHeaders, recorder } from '../support/world/recorder.js'
import { world } from '../support/world/world.js'

test('an h2 client through a TLS listener with http2: true gets 200, the body and the version header; HTTP/1.1 works on the same port', async (t) => {
  // The echo backend answers with connection, keep-alive, proxy-connection, trailer, upgrade
  // and chunked transfer-encoding: each is illegal in an h2 response, so a 200 means they were removed.
  const echo = await recorder(t, echoHeaders)
  const cert = selfSigned(t)
  const w = await world(t, { config: `${tlsListener(cert)}stable: { name: v1, backends: ["${echo.url}"] }\nversionHeader: { response: true }\n` })
  const authority = new URL(w.urls.main).host

  const h2 = await h2request(await h2session(t, w.urls.main, cert.cert), { ':method': 'GET', ':path': '/hello?x=1' })
  assert.equal(h2.headers[':status'], 200)
  assert.equal(h2.headers['x-ramp-version'], 'v1')
  assert.equal(h2.headers['x-upstream-visible'], 'yes')
  for (const name of ['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'transfer-encoding', 'x-upstream-secret']) assert.equal(h2.headers[name], undefined, name)
  const seen = JSON.parse(h2.body) as Record<string, string>
  assert.deepEqual(Object.keys(seen).filter((k) => k.startsWith(':')), [], 'no pseudo-header reaches an HTTP/1.1 backend')
  assert.equal(seen.host, authority, 'the client\'s :authority is the Host kept upstream')
  assert.equal(seen['x-forwarded-host'], authority)
  assert.equal(seen['x-forwarded-proto'], 'https')
  assert.equal(seen['x-forwarded-for'], '127.0.0.1', 'the client address is read through the h2 session\'s socket')
  assert.equal(seen['x-ramp-version'], 'v1')

  const dispatcher = new Agent({ connect: { ca: cert.cert } })
  t.after(() => dispatcher.close())
  const h1 = await request(`${w.urls.main}/hello`, { dispatcher })
  assert.equal(h1.statusCode, 200)
  assert.equal(h1.headers['x-ramp-version'], 'v1')
  assert.equal((JSON.parse(await h1.body.text()) as Record<string, string>)['x-forwarded-proto'], 'https')
})

test('an h2 request is routed by its override header and its body streams to the canary', async (t) => {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const cert = selfSigned(t)
  const w = await world(t, { config: `${tlsListener(cert)}${release({ v1: v1.url, v2: v2.url, weight: 0 })}` })
  await w.routed()
  const session = await h2session(t, w.urls.main, cert.cert)
  const body = Buffer.alloc(256 * 1024, 7)
  const res = await h2request(session, { ':method': 'POST', ':path': '/upload', 'x-ramp-version': 'v2', 'content-type': 'application/octet-stream' }, body)
  assert.equal(res.headers[':status'], 200)
  assert.deepEqual(JSON.parse(res.body), { version: 'v2', color: 'grey', method: 'POST', path: '/upload', received: body.length })
  const plain = await h2request(session, { ':method': 'GET', ':path': '/' })
  assert.equal(plain.headers['x-demo-version'], 'v1')
})

test('on an http2 listener, HTTP/1.1 upgrades still work: a WebSocket goes through', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const cert = selfSigned(t)
  const w = await world(t, { config: `${tlsListener(cert)}stable: { name: v1, backends: ["${v1.url}"] }\n` })
  const ws = await open(t, wsUrl(w.urls.main), { ca: cert.cert })
  assert.equal(await reply(ws, 'x'), 'v1:x')
})

test('closing ramp ends an idle h2 session with GOAWAY instead of waiting for the client', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const cert = selfSigned(t)
  const w = await world(t, { config: `${tlsListener(cert)}stable: { name: v1, backends: ["${v1.url}"] }\n` })
  const session = await h2session(t, w.urls.main, cert.cert)
  assert.equal((await h2request(session, { ':method': 'GET', ':path': '/' })).headers[':status'], 200)
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()))
  await w.stop()
  await goaway
})
