import assert from 'node:assert/strict'
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import { test, type TestContext } from 'node:test'
import { Agent, request } from 'undici'
import { selfSigned, type SelfSigned } from '../support/certs.js'
import { echoBackend } from '../support/echo-backend.js'
import { backend, canaryRouted, canaryYaml, rampWith } from '../support/ramp.js'
import { open, reply, wsBackend, wsUrl } from '../support/websocket.js'

function h2session(t: TestContext, url: string, ca: Buffer): ClientHttp2Session {
  const session = connect(url, { ca })
  session.on('error', () => undefined)
  t.after(() => session.close())
  return session
}

/** One h2 request: its response headers and the whole body. */
function h2request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined })
    let response: IncomingHttpHeaders = {}
    let text = ''
    stream.on('response', (h) => { response = h })
    stream.on('data', (c: Buffer) => { text += c.toString() })
    stream.on('end', () => resolve({ headers: response, body: text }))
    stream.on('error', reject)
    if (body !== undefined) stream.end(body)
  })
}

const tlsListener = (cert: SelfSigned): string => `listen: { port: 0, http2: true, tls: { cert: "${cert.certPath}", key: "${cert.keyPath}" } }\n`

test('an h2 client through a TLS listener with http2: true gets 200, the body and the version header; HTTP/1.1 works on the same port', async (t) => {
  // The echo backend answers with connection, keep-alive, proxy-connection, trailer, upgrade
  // and chunked transfer-encoding: each is illegal in an h2 response, so a 200 means they were removed.
  const echo = await echoBackend(t)
  const cert = selfSigned(t)
  const ramp = await rampWith(t, `${tlsListener(cert)}stable: { name: v1, backends: ["${echo.url}"] }\nversionHeader: { response: true }\n`)
  const authority = new URL(ramp.urls.main).host

  const h2 = await h2request(h2session(t, ramp.urls.main, cert.cert), { ':method': 'GET', ':path': '/hello?x=1' })
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
  const h1 = await request(`${ramp.urls.main}/hello`, { dispatcher })
  assert.equal(h1.statusCode, 200)
  assert.equal(h1.headers['x-ramp-version'], 'v1')
  assert.equal((JSON.parse(await h1.body.text()) as Record<string, string>)['x-forwarded-proto'], 'https')
})

test('an h2 request is routed by its override header and its body streams to the canary', async (t) => {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const cert = selfSigned(t)
  const ramp = await rampWith(t, `${tlsListener(cert)}${canaryYaml(v1.url, v2.url).replace(/^listen:.*\n/, '')}weight: 0\n`)
  await canaryRouted(ramp)
  const session = h2session(t, ramp.urls.main, cert.cert)
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
  const ramp = await rampWith(t, `${tlsListener(cert)}stable: { name: v1, backends: ["${v1.url}"] }\n`)
  const ws = await open(t, wsUrl(ramp.urls.main), { ca: cert.cert })
  assert.equal(await reply(ws, 'x'), 'v1:x')
})

test('closing ramp ends an idle h2 session with GOAWAY instead of waiting for the client', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const cert = selfSigned(t)
  const ramp = await rampWith(t, `${tlsListener(cert)}stable: { name: v1, backends: ["${v1.url}"] }\n`)
  const session = h2session(t, ramp.urls.main, cert.cert)
  assert.equal((await h2request(session, { ':method': 'GET', ':path': '/' })).headers[':status'], 200)
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()))
  await ramp.close()
  await goaway
})
