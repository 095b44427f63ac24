import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { exchange, portOf, statusOf } from '../../support/wire/exchange.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { recorder, type Recorder, type Seen } from '../../support/world/recorder.js'
import { world } from '../../support/world/world.js'
import { bigOrEarly } from './upstream.js'

/** Requests that reached the backend and ended there, whole or aborted. */
const ended = (b: Recorder): Seen[] => b.seen.filter((s) => s.ended)

const head = 'POST / HTTP/1.1\r\nHost: app\r\n'
const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: app\r\n\r\n'

/**
 * Requests a front proxy and a backend could frame differently (request smuggling), and heads
 * that are not valid HTTP/1.1. Each must get a 400 and never reach the backend: not the
 * request, and not what is written after it.
 */
const refused: ReadonlyArray<{ name: string; bytes: string }> = [
  { name: 'Content-Length and Transfer-Encoding together (CL.TE)', bytes: `${head}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}` },
  { name: 'Transfer-Encoding and Content-Length together (TE.CL)', bytes: `${head}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n${smuggled}\r\n0\r\n\r\n` },
  { name: 'two differing Content-Length headers', bytes: `${head}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!` },
  { name: 'a Content-Length list', bytes: `${head}Content-Length: 5, 6\r\n\r\nhello!` },
  { name: 'a negative Content-Length', bytes: `${head}Content-Length: -5\r\n\r\nhello` },
  { name: 'Transfer-Encoding: chunked, identity (chunked not last)', bytes: `${head}Transfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n` },
  { name: 'Transfer-Encoding twice, chunked then identity', bytes: `${head}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n` },
  { name: 'a Transfer-Encoding other than chunked', bytes: `${head}Transfer-Encoding: gzip\r\n\r\nhello` },
  { name: 'Transfer-Encoding with a space before the colon', bytes: `${head}Transfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${smuggled}` },
  { name: 'Transfer-Encoding: xchunked', bytes: `${head}Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n` },
  { name: 'a chunk size that is not hex', bytes: `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n` },
  { name: 'chunk data longer than its size', bytes: `${head}Transfer-Encoding: chunked\r\n\r\n5\r\nhello${smuggled}\r\n0\r\n\r\n` },
  { name: 'a chunk size that overflows 64 bits', bytes: `${head}Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n` },
  { name: 'chunks delimited by bare LF', bytes: `${head}Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n` },
  { name: 'obsolete line folding', bytes: 'GET / HTTP/1.1\r\nHost: app\r\nX-Folded: a\r\n  b\r\n\r\n' },
  { name: 'a header name with a space', bytes: 'GET / HTTP/1.1\r\nHost: app\r\nBad Name: a\r\n\r\n' },
  { name: 'a bare CR inside a header value', bytes: 'GET / HTTP/1.1\r\nHost: app\r\nX-A: a\rb\r\n\r\n' },
  { name: 'a NUL inside a header value', bytes: 'GET / HTTP/1.1\r\nHost: app\r\nX-A: a\u0000b\r\n\r\n' },
  { name: 'lines ended by bare LF', bytes: 'GET / HTTP/1.1\nHost: app\n\n' },
  { name: 'two Host headers', bytes: 'GET / HTTP/1.1\r\nHost: app\r\nHost: admin.internal\r\n\r\n' },
  { name: 'a Host with a path in it', bytes: 'GET / HTTP/1.1\r\nHost: app/evil\r\n\r\n' },
  { name: 'a Host with userinfo', bytes: 'GET / HTTP/1.1\r\nHost: evil@app\r\n\r\n' },
]

test('smuggling shapes and invalid heads get 400, close the connection, and never reach the backend', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: release({ v1: backend.url }) })
  const port = portOf(w.urls.main)
  for (const c of refused) {
    const got = await exchange(port, [c.bytes], { closeAfterMs: 3000 })
    assert.equal(statusOf(got.text), 400, `${c.name}: ${JSON.stringify(got.text.slice(0, 120))}`)
    assert.match(got.text, /\r\nx-ramp-error: RAMP_ERR_CLIENT_BAD_REQUEST\r\n/i, c.name)
    assert.match(got.text, /\r\nconnection: close\r\n/i, c.name)
    assert.ok(got.ms < 2000, `${c.name}: the connection was closed by ramp, after ${got.ms.toFixed(0)} ms`)
    assert.equal(got.text.match(/HTTP\/1\.1 \d{3} /g)?.length, 1, `${c.name}: one response only`)
  }
  assert.equal(backend.seen.length, 0, `the backend saw: ${JSON.stringify(backend.seen.map((r) => r.url))}`)
  assert.equal(await w.metric('ramp_client_rejections_total', { listener: 'main', reason: 'bad_request' }), refused.length)

  const res = await request(`${w.urls.main}/after`)
  assert.equal(res.statusCode, 200)
  assert.equal(await res.body.text(), 'ok')
})

test('what llhttp accepts reaches the backend re-framed as one request, never as a second one', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: release({ v1: backend.url }) })
  // "identity, chunked" ends in chunked: the body is the chunked one, and what follows the
  // last chunk is the next request on the connection, which ramp parses itself.
  const got = await exchange(portOf(w.urls.main), [`${head}Transfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n`])
  assert.equal(got.text.match(/HTTP\/1\.1 200 /g)?.length, 2)
  await waitFor('both requests to end at the backend', () => ended(backend).length === 2)
  const [first, second] = ended(backend)
  assert.equal(first?.body.toString(), 'hello')
  assert.equal(first?.headers['transfer-encoding'] === 'identity, chunked', false)
  assert.equal(second?.url, '/next')
})

test('a bad chunk after the backend has answered never writes a 400 into that response', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: release({ v1: backend.url }) })
  // /early sends its status, headers and 10 of 100 body bytes before reading the upload.
  const got = await exchange(portOf(w.urls.main), ['POST /early HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', 'zz\r\nxx\r\n0\r\n\r\n'], { gapMs: 300 })
  assert.equal(statusOf(got.text), 200)
  assert.equal(got.text.match(/HTTP\/1\.1 \d{3} /g)?.length, 1, JSON.stringify(got.text))
  const body = got.text.slice(got.text.indexOf('\r\n\r\n') + 4)
  assert.equal(body, 'a'.repeat(10), 'the response is cut where it was, short of its content-length')
  await waitFor('the upstream request to be aborted', () => ended(backend).length === 1)
  assert.equal(ended(backend)[0]?.complete, false)
})

test('a pipelined bad request behind one whose response has started only cuts that response', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: release({ v1: backend.url }) })
  const got = await exchange(portOf(w.urls.main), ['GET /early HTTP/1.1\r\nHost: app\r\n\r\n', 'GET /x HTTP/1.1\r\nHost: app\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'], { gapMs: 300 })
  assert.equal(statusOf(got.text), 200)
  assert.equal(got.text.match(/HTTP\/1\.1 \d{3} /g)?.length, 1, JSON.stringify(got.text))
  assert.equal(backend.seen.length, 1)
})

test('a bad chunk after the upstream request started aborts it: the backend never gets a whole request', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: release({ v1: backend.url }) })
  const got = await exchange(portOf(w.urls.main), ['POST /upload HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', 'zz\r\nxx\r\n0\r\n\r\n'], { gapMs: 300 })
  assert.equal(statusOf(got.text), 400)
  assert.match(got.text, /HPE_INVALID_CHUNK_SIZE/)
  await waitFor('the upstream request to end', () => ended(backend).length === 1)
  assert.equal(ended(backend)[0]?.complete, false)
})

test('the admin listener refuses the same shapes, counted under listener="admin"', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: release({ v1: backend.url }) })
  const got = await exchange(portOf(w.urls.admin), ['POST /api/v1/rollout/abort HTTP/1.1\r\nHost: admin\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'])
  assert.equal(statusOf(got.text), 400)
  assert.match(got.text, /RAMP_ERR_CLIENT_BAD_REQUEST/)
  assert.equal(await w.metric('ramp_client_rejections_total', { listener: 'admin' }), 1)
})
