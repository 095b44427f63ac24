import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { rawBackend, targetOf } from '../../support/wire/raw-backend.js'
import { header, RawClient, rawRequest, type RawResponse } from '../../support/wire/raw-client.js'
import { world } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, transparency: how a response's body is delimited. A close-delimited body (no
 * length, not chunked, ended by the backend closing) reaches the client whole; a 304 that
 * carries a Content-Length, a 204, and the answer to HEAD with a Content-Length have no body
 * whatever their length headers say, reach the client as the backend sent them (no 502), and
 * the client's keep-alive connection carries a next request. The backends are raw TCP, to
 * write exactly these bytes.
 */

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = 0x41 + ((i * 31) % 26)
  return b
}

/** Writes `body` in four parts 10 ms apart after `head`, then closes the connection. */
function closeDelimited(socket: Socket, head: string, body: Buffer): void {
  socket.write(head)
  const quarter = Math.ceil(body.length / 4)
  for (let i = 0; i < 4; i++) setTimeout(() => { socket.write(body.subarray(i * quarter, (i + 1) * quarter)); if (i === 3) socket.end() }, 10 * (i + 1))
}

test('a close-delimited response (no content-length, not chunked, ended by the backend closing) reaches the client whole', async (t) => {
  const body = pattern(200 * 1024)
  const be = await rawBackend(t, (head, socket) => {
    if (targetOf(head) === '/http10') closeDelimited(socket, 'HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nX-Style: http10\r\n\r\n', body)
    else closeDelimited(socket, 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\nX-Style: http11-close\r\n\r\n', body)
  })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const problems: string[] = []
  for (const [path, style] of [['/http10', 'http10'], ['/http11-close', 'http11-close']] as const) {
    let res: RawResponse
    try {
      res = await rawRequest(t, w.urls.main, `GET ${path} HTTP/1.1\r\nHost: svc.example\r\n\r\n`, { timeoutMs: 3000 })
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`)
      continue
    }
    if (res.status !== 200) { problems.push(`${path}: client got ${res.status} ${excerpt(res.body)}`); continue }
    if (header(res, 'x-style').join() !== style) problems.push(`${path}: the backend's headers did not arrive: ${JSON.stringify(res.headerLines)}`)
    if (!res.complete) problems.push(`${path}: the response ended before its framing (${res.framing}) said it was complete (${res.error?.code ?? 'no error'})`)
    if (res.body.length !== body.length) problems.push(`${path}: client got ${res.body.length} of ${body.length} body bytes (${res.framing})`)
    else if (!res.body.equals(body)) problems.push(`${path}: client got other bytes than the backend sent`)
  }
  noProblems(problems, 'close-delimited bodies')
})

const canned: Record<string, string> = {
  '/not-modified': 'HTTP/1.1 304 Not Modified\r\nETag: "v7"\r\nCache-Control: max-age=60\r\nContent-Length: 1234\r\n\r\n',
  '/no-content': 'HTTP/1.1 204 No Content\r\nX-Kind: empty\r\n\r\n',
  '/head': 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\nX-Kind: head\r\n\r\n',
  '/after': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nafter',
}

test('a 304 with Content-Length: 1234 and no body, a 204, and HEAD with a content-length reach the client as sent, and the keep-alive connection serves a next request', async (t) => {
  const be = await rawBackend(t, (head, socket) => { socket.write(canned[targetOf(head)] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n') })
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${be.url}"] }\n` })
  const client = await RawClient.open(t, w.urls.main)
  const problems: string[] = []
  const exchanges: Array<{ request: string; head?: boolean; status: number; headers: Record<string, string>; body?: string }> = [
    { request: 'GET /not-modified HTTP/1.1\r\nHost: svc.example\r\nIf-None-Match: "v7"\r\n\r\n', status: 304, headers: { etag: '"v7"', 'cache-control': 'max-age=60', 'content-length': '1234' } },
    { request: 'GET /no-content HTTP/1.1\r\nHost: svc.example\r\n\r\n', status: 204, headers: { 'x-kind': 'empty' } },
    { request: 'HEAD /head HTTP/1.1\r\nHost: svc.example\r\n\r\n', head: true, status: 200, headers: { 'x-kind': 'head', 'content-length': '5000' } },
    { request: 'GET /after HTTP/1.1\r\nHost: svc.example\r\n\r\n', status: 200, headers: {}, body: 'after' },
  ]
  for (const x of exchanges) {
    const what = x.request.slice(0, x.request.indexOf(' HTTP/1.1'))
    if (client.closed) { problems.push(`${what}: not sent, ramp closed the keep-alive connection`); continue }
    client.write(x.request)
    let res: RawResponse
    try {
      res = await client.response({ head: x.head === true, timeoutMs: 3000 })
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`)
      continue
    }
    if (res.status !== x.status) { problems.push(`${what}: client got ${res.status} ${excerpt(res.body)}`); continue }
    for (const [name, value] of Object.entries(x.headers)) {
      if (header(res, name).join() !== value) problems.push(`${what}: ${name} ${JSON.stringify(header(res, name))}, the backend sent ${JSON.stringify(value)}`)
    }
    if (x.body !== undefined && res.body.toString() !== x.body) problems.push(`${what}: body ${excerpt(res.body)}`)
  }
  assert.ok(be.heads.length > 0, 'the backend was reached')
  noProblems(problems, '304 / 204 / HEAD')
})
