import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { request } from 'undici'
import { exchange, portOf } from '../../support/wire/exchange.js'
import { rawBackend } from '../../support/wire/raw-backend.js'
import { release } from '../../support/world/config.js'
import { world, type World } from '../../support/world/world.js'

const good = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'

interface Broken { answer: string; hold: boolean }

/**
 * A backend written on a raw socket, so it can break HTTP in ways no server library would:
 * each request is answered with `answer` (as latin1 bytes), then the socket is closed unless
 * `hold` is set. The test changes both as it goes.
 */
async function brokenBackend(t: TestContext): Promise<Broken & { url: string }> {
  const b: Broken = { answer: good, hold: false }
  const raw = await rawBackend(t, (_head, socket) => {
    if (b.hold) socket.write(Buffer.from(b.answer, 'latin1'))
    else socket.end(Buffer.from(b.answer, 'latin1'))
  })
  return Object.assign(b, { url: raw.url })
}

const upstreamErrors = (w: World, reason: string): Promise<number> => w.metric('ramp_upstream_errors_total', { version: 'v1', reason })

/** The proxy keeps serving: the next request through it, to a backend behaving again, is fine. */
async function stillServes(w: World, backend: Broken): Promise<void> {
  backend.answer = good
  backend.hold = false
  const res = await request(`${w.urls.main}/next`)
  assert.equal(res.statusCode, 200)
  assert.equal(await res.body.text(), 'ok')
}

/** Broken before the response headers: the client gets ramp's own 502, never a piece of the backend's answer. */
const before: ReadonlyArray<{ name: string; answer: string; reason: string; says: RegExp }> = [
  { name: 'an invalid status line', answer: 'HTTP/1.1 abc OK\r\ncontent-length: 0\r\n\r\n', reason: 'bad_response', says: /not valid HTTP/ },
  { name: 'a response that is not HTTP', answer: 'hello there\r\n\r\n', reason: 'bad_response', says: /not valid HTTP/ },
  { name: 'a status code past 599', answer: 'HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n', reason: 'bad_response', says: /invalid status code/ },
  { name: 'oversized response headers', answer: `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(100_000)}\r\ncontent-length: 0\r\n\r\n`, reason: 'bad_response', says: /oversized response headers/ },
  // Node's ServerResponse refuses to send a DEL or a control character in a header value
  // (ERR_INVALID_CHAR); undici's parser refuses such a response first, so nothing throws.
  { name: 'a header value with a DEL byte', answer: 'HTTP/1.1 200 OK\r\nx-bad: a\u007fb\r\ncontent-length: 2\r\n\r\nok', reason: 'bad_response', says: /not valid HTTP/ },
  { name: 'a header value with a control character', answer: 'HTTP/1.1 200 OK\r\nx-bad: a\u0001b\r\ncontent-length: 2\r\n\r\nok', reason: 'bad_response', says: /not valid HTTP/ },
  { name: 'a header name with a space', answer: 'HTTP/1.1 200 OK\r\nx bad: b\r\ncontent-length: 2\r\n\r\nok', reason: 'bad_response', says: /not valid HTTP/ },
  { name: 'Content-Length and Transfer-Encoding together', answer: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', reason: 'bad_response', says: /length differs from its content-length/ },
  { name: 'two differing Content-Length headers', answer: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok!', reason: 'bad_response', says: /length differs from its content-length/ },
  { name: 'obsolete line folding', answer: 'HTTP/1.1 200 OK\r\nx-a: a\r\n b\r\ncontent-length: 2\r\n\r\nok', reason: 'bad_response', says: /not valid HTTP/ },
  { name: 'a close before any byte', answer: '', reason: 'reset', says: /closed the connection/ },
  // ramp holds the head until the first body byte (Node would not send it before either), so
  // this failure can still be answered with a 502.
  { name: 'headers, then a close before the first body byte', answer: 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\nx-from-backend: yes\r\n\r\n', reason: 'reset', says: /closed the connection/ },
]

test('a backend broken before its response headers gets a clean 502, counted by reason, and the proxy keeps serving', async (t) => {
  const backend = await brokenBackend(t)
  const w = await world(t, { config: release({ v1: backend.url }) })
  for (const c of before) {
    backend.answer = c.answer
    const counted = await upstreamErrors(w, c.reason)
    const res = await request(`${w.urls.main}/`)
    const body = await res.body.text()
    assert.equal(res.statusCode, 502, `${c.name}: ${body}`)
    assert.equal(res.headers['x-ramp-error'], c.reason === 'reset' ? 'RAMP_ERR_UPSTREAM_RESET' : 'RAMP_ERR_UPSTREAM_BAD_RESPONSE', c.name)
    assert.match(body, /^502 version v1: backend http:\/\/127\.0\.0\.1:\d+ /, c.name)
    assert.match(body, c.says, c.name)
    assert.equal(res.headers['x-from-backend'], undefined, `${c.name}: no header of the failed response`)
    assert.equal(await upstreamErrors(w, c.reason), counted + 1, `${c.name}: counted as ${c.reason}`)
    await stillServes(w, backend)
  }
})

/** Broken after the response headers went out: the client must see the response cut, never complete. */
const after: ReadonlyArray<{ name: string; answer: string; reason: string }> = [
  { name: 'a close mid-body (content-length larger than sent)', answer: 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nshort', reason: 'reset' },
  { name: 'a chunked body cut before its last chunk', answer: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nshort\r\n', reason: 'reset' },
  { name: 'a malformed chunk after a good one', answer: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nshort\r\nzz\r\n', reason: 'bad_response' },
]

test('a backend broken mid-body cuts the client\'s response (never a complete-looking one), counted by reason', async (t) => {
  const backend = await brokenBackend(t)
  const w = await world(t, { config: release({ v1: backend.url }) })
  for (const c of after) {
    backend.answer = c.answer
    const counted = await upstreamErrors(w, c.reason)
    const res = await request(`${w.urls.main}/`)
    assert.equal(res.statusCode, 200, c.name)
    await assert.rejects(res.body.text(), (err: Error & { code?: string }) => ['UND_ERR_SOCKET', 'ECONNRESET'].includes(err.code ?? ''), c.name)
    assert.equal(await upstreamErrors(w, c.reason), counted + 1, `${c.name}: counted as ${c.reason}`)
    await stillServes(w, backend)
  }
})

test('an HTTP/1.0 client, whose response has no length, sees a cut body as a connection reset, not as a clean end', async (t) => {
  const backend = await brokenBackend(t)
  const w = await world(t, { config: release({ v1: backend.url }) })
  backend.answer = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nshort\r\n'
  const got = await exchange(portOf(w.urls.main), ['GET / HTTP/1.0\r\nHost: app\r\n\r\n'])
  assert.match(got.text, /^HTTP\/1\.1 200 /)
  assert.doesNotMatch(got.text, /content-length|transfer-encoding/i)
  assert.equal(got.error?.code, 'ECONNRESET')
  await stillServes(w, backend)
})

test('a response whose client left first is not counted as an upstream error', async (t) => {
  const backend = await brokenBackend(t)
  const w = await world(t, { config: release({ v1: backend.url }) })
  backend.answer = `HTTP/1.1 200 OK\r\ncontent-length: 10000000\r\n\r\n${'a'.repeat(100_000)}`
  backend.hold = true
  const got = await exchange(portOf(w.urls.main), ['GET / HTTP/1.1\r\nHost: app\r\n\r\n'], { closeAfterMs: 200 })
  assert.match(got.text, /^HTTP\/1\.1 200 /)
  await stillServes(w, backend)
  assert.equal(await w.metric('ramp_upstream_errors_total'), 0)
})
