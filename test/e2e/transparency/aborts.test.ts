import assert from 'node:assert/strict'
import { constants } from 'node:http2'
import { connect, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import { selfSigned } from '../../support/certs.js'
import { curl } from '../../support/wire/curl.js'
import { h2session, tlsListener } from '../../support/wire/h2.js'
import { rawBackend } from '../../support/wire/raw-backend.js'
import { RawClient } from '../../support/wire/raw-client.js'
import { release } from '../../support/world/config.js'
import { sleep, within } from '../../support/world/eventually.js'
import type { AccessLine } from '../../support/world/logs.js'
import { seriesOf, sumOf } from '../../support/world/metrics.js'
import { type Handler, recorder, type Recorder, type Seen } from '../../support/world/recorder.js'
import { world, type World } from '../../support/world/world.js'
import { excerpt, noProblems } from './report.js'

/**
 * Issue 11, abort both ways. A client that leaves (HTTP/1.1 close, HTTP/2 RST_STREAM) cancels
 * its upstream request at once, at any point, and is counted as a client abort (499 in the
 * access log), never as an upstream failure and never toward ejection. An upstream that fails
 * mid-body cuts the client's response, and that is an upstream failure.
 */

/** Uploads are read to their end; `/hold` answers after 2 s; anything else at once. */
const handler: Handler = (req, res) => {
  req.resume()
  if (req.url?.startsWith('/hold') === true) {
    const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('held'), 2000)
    res.on('close', () => clearTimeout(timer))
    return
  }
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'))
}

const uploadHead = 'POST /upload HTTP/1.1\r\nHost: svc.example\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n'

function opened(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.on('error', reject)
  })
}

/**
 * Starts an upload of 100 000 bytes, sends 1 000 of them, waits until one of `backends` has
 * the request, and destroys the socket. Returns what that backend saw and how long after the
 * destroy it saw the request given up (undefined: not within 1 s).
 */
async function abandonUpload(t: TestContext, port: number, backends: Recorder[], extraHeaders = ''): Promise<{ seen: Seen | undefined; cancelMs: number | undefined }> {
  const before = backends.map((b) => b.traffic().length)
  const arrived = (): Seen | undefined => backends.map((b, i) => b.traffic()[before[i] as number]).find((s) => s !== undefined)
  const socket = await opened(port)
  t.after(() => { socket.destroy() })
  socket.on('error', () => undefined)
  socket.write(`${uploadHead}${extraHeaders}\r\n`)
  socket.write(Buffer.alloc(1000, 0x75))
  await within(2000, () => arrived() !== undefined)
  const seen = arrived()
  if (seen !== undefined) await within(300, () => seen.body.length >= 1000)
  const destroyedAt = performance.now()
  socket.destroy()
  if (seen === undefined) return { seen, cancelMs: undefined }
  await within(1000, () => seen.cancelledAt !== undefined || seen.ended)
  return { seen, cancelMs: seen.cancelledAt === undefined ? undefined : Math.max(0, seen.cancelledAt - destroyedAt) }
}

/** Every backend of every version healthy, nothing counted toward its ejection, and up in ramp_backend_up. */
async function everyBackendUp(w: World, metrics: string): Promise<string[]> {
  const problems: string[] = []
  for (const v of (await w.rollout()).health.versions) {
    for (const b of v.backends) {
      if (b.state !== 'healthy') problems.push(`${v.name} backend ${b.url} is ${b.state} (ejections ${b.ejections}, connect failures in a row ${b.consecutiveConnectFailures})`)
      else if (b.consecutiveConnectFailures !== 0 || b.consecutive5xx !== 0) problems.push(`${v.name} backend ${b.url} has ${b.consecutiveConnectFailures} connect failures and ${b.consecutive5xx} 5xx in a row counted toward its ejection`)
    }
  }
  for (const l of seriesOf(metrics, 'ramp_backend_up')) if (!l.endsWith(' 1')) problems.push(`down: ${l}`)
  if (seriesOf(metrics, 'ramp_backend_up').length === 0) problems.push('no ramp_backend_up series')
  return problems
}

function clientAbortLogged(lines: AccessLine[], url: string): string[] {
  const mine = lines.filter((l) => l.url.startsWith(url))
  if (mine.length === 0) return [`no access line for ${url}`]
  return mine.filter((l) => l.status !== 499).map((l) => `access line for ${l.url} has status ${l.status} (completed ${String(l.completed)}), not 499`)
}

test('a client that abandons an upload mid-body: the backend request is aborted within 1 s, no upstream error, every backend up, 499 in the access log', async (t) => {
  const be = await recorder(t, handler)
  const w = await world(t, { config: `stable: { name: v1, backends: ["${be.url}"] }\nlog: { access: true }\n`, logLevel: 'info' })
  const before = await w.metrics()
  const { seen, cancelMs } = await abandonUpload(t, Number(new URL(w.urls.main).port), [be])

  assert.ok(seen !== undefined, 'the upload reached the backend while it streamed (a proxy that buffers the whole body would never send it)')
  const problems: string[] = []
  if (cancelMs === undefined) problems.push(`the backend request was not aborted within 1 s (it had ${seen.body.length} bytes, ended ${String(seen.ended)})`)
  if (seen.complete) problems.push('the backend saw a complete request')
  await within(1000, () => w.access().some((l) => l.url === '/upload'))
  const after = await w.metrics()
  if (sumOf(after, 'ramp_upstream_errors_total') !== sumOf(before, 'ramp_upstream_errors_total')) problems.push(`counted as an upstream error: ${seriesOf(after, 'ramp_upstream_errors_total').join('; ')}`)
  if (sumOf(after, 'ramp_requests_total', { code: '5xx' }) !== 0) problems.push(`counted as a 5xx: ${seriesOf(after, 'ramp_requests_total').join('; ')}`)
  // 499 is a 4xx: the class is what ramp_requests_total can show of it.
  if (sumOf(after, 'ramp_requests_total', { version: 'v1', code: '4xx' }) !== 1) problems.push(`not counted once as a 4xx (499): ${seriesOf(after, 'ramp_requests_total').join('; ')}`)
  problems.push(...await everyBackendUp(w, after))
  problems.push(...clientAbortLogged(w.access(), '/upload'))
  noProblems(problems, `abandoned upload (backend saw the abort ${cancelMs?.toFixed(0) ?? 'never'} ms after the client left)`)
})

test('8 abandoned uploads to the canary eject nothing: every backend stays up and ramp_upstream_errors_total does not move', async (t) => {
  const v1 = await recorder(t, handler)
  // Two canary backends: outlier detection never ejects the last available one of a version.
  const v2 = [await recorder(t, handler), await recorder(t, handler)]
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.map((b) => b.url), weight: 0, more: 'log: { access: true }' }), logLevel: 'info' })
  await w.routed()
  const before = await w.metrics()
  const port = Number(new URL(w.urls.main).port)
  const problems: string[] = []
  for (let i = 0; i < 8; i++) {
    const { seen, cancelMs } = await abandonUpload(t, port, v2, 'x-ramp-version: v2\r\n')
    if (seen === undefined) problems.push(`upload ${i + 1} never reached the canary backend`)
    else if (cancelMs === undefined) problems.push(`upload ${i + 1}: the backend request was not aborted within 1 s`)
  }
  await within(1000, () => w.access().filter((l) => l.url === '/upload').length >= 8)
  const after = await w.metrics()
  if (sumOf(after, 'ramp_upstream_errors_total') !== sumOf(before, 'ramp_upstream_errors_total')) problems.push(`counted as upstream errors: ${seriesOf(after, 'ramp_upstream_errors_total').join('; ')}`)
  problems.push(...await everyBackendUp(w, after))
  problems.push(...clientAbortLogged(w.access(), '/upload'))

  // The canary still serves: requests for it are answered by its backends.
  const served = v2.map((b) => b.traffic().length)
  for (let i = 0; i < 4; i++) {
    const c = await RawClient.open(t, w.urls.main)
    c.write('GET /after HTTP/1.1\r\nHost: svc.example\r\nx-ramp-version: v2\r\n\r\n')
    const res = await c.response()
    c.socket.destroy()
    if (res.status !== 200) problems.push(`a request for the canary after the uploads got ${res.status} ${excerpt(res.body)}`)
  }
  const servedBy = v2.map((b, i) => b.traffic().length - (served[i] as number))
  if (servedBy.some((n) => n === 0)) problems.push(`a canary backend served none of the 4 requests after the uploads (${servedBy.join(' and ')})`)
  noProblems(problems, '8 abandoned uploads')
})

test('a client that leaves before the response headers: the backend sees its request closed within 300 ms', async (t) => {
  const be = await recorder(t, handler)
  const w = await world(t, { config: `stable: { name: v1, backends: ["${be.url}"] }\nlog: { access: true }\n`, logLevel: 'info' })
  const before = await w.metrics()
  const socket = await opened(Number(new URL(w.urls.main).port))
  t.after(() => { socket.destroy() })
  socket.on('error', () => undefined)
  socket.write('GET /hold HTTP/1.1\r\nHost: svc.example\r\n\r\n')
  assert.ok(await within(2000, () => be.traffic().length === 1), 'the request reached the backend')
  const seen = be.traffic()[0] as Seen
  const leftAt = performance.now()
  socket.destroy()
  await within(1500, () => seen.cancelledAt !== undefined || seen.responseClosedAt !== undefined)
  const problems: string[] = []
  if (seen.cancelledAt === undefined) problems.push(`the backend request was not cancelled (response closed ${seen.responseClosedAt === undefined ? 'never' : `after ${(seen.responseClosedAt - leftAt).toFixed(0)} ms, finished`})`)
  else if (seen.cancelledAt - leftAt > 300) problems.push(`the backend saw the cancel ${(seen.cancelledAt - leftAt).toFixed(0)} ms after the client left`)
  await within(1000, () => w.access().some((l) => l.url === '/hold'))
  const after = await w.metrics()
  if (sumOf(after, 'ramp_upstream_errors_total') !== sumOf(before, 'ramp_upstream_errors_total')) problems.push(`counted as an upstream error: ${seriesOf(after, 'ramp_upstream_errors_total').join('; ')}`)
  problems.push(...clientAbortLogged(w.access(), '/hold'))
  noProblems(problems, 'client gone before the response headers')
})

test('an HTTP/2 client that resets its stream (RST_STREAM CANCEL): the backend sees the cancel within 300 ms, and the session serves on', async (t) => {
  const be = await recorder(t, handler)
  const cert = selfSigned(t)
  const w = await world(t, { config: `${tlsListener(cert)}stable: { name: v1, backends: ["${be.url}"] }\nlog: { access: true }\n`, logLevel: 'info' })
  const before = await w.metrics()
  const session = await h2session(t, w.urls.main, cert.cert)
  const stream = session.request({ ':method': 'GET', ':path': '/hold' })
  stream.on('error', () => undefined)
  assert.ok(await within(2000, () => be.traffic().length === 1), 'the request reached the backend')
  const seen = be.traffic()[0] as Seen
  const resetAt = performance.now()
  stream.close(constants.NGHTTP2_CANCEL)
  await within(1500, () => seen.cancelledAt !== undefined || seen.responseClosedAt !== undefined)
  const problems: string[] = []
  if (seen.cancelledAt === undefined) problems.push(`the backend request was not cancelled (response closed ${seen.responseClosedAt === undefined ? 'never' : `after ${(seen.responseClosedAt - resetAt).toFixed(0)} ms, finished`})`)
  else if (seen.cancelledAt - resetAt > 300) problems.push(`the backend saw the cancel ${(seen.cancelledAt - resetAt).toFixed(0)} ms after the reset`)

  const next = session.request({ ':method': 'GET', ':path': '/next' })
  const status = await new Promise<number>((resolve) => {
    next.on('response', (h) => resolve(Number(h[':status'])))
    next.on('error', () => resolve(0))
    next.resume()
  })
  if (status !== 200) problems.push(`the same session's next request got ${status}`)
  await within(1000, () => w.access().some((l) => l.url === '/hold'))
  const after = await w.metrics()
  if (sumOf(after, 'ramp_upstream_errors_total') !== sumOf(before, 'ramp_upstream_errors_total')) problems.push(`counted as an upstream error: ${seriesOf(after, 'ramp_upstream_errors_total').join('; ')}`)
  problems.push(...clientAbortLogged(w.access(), '/hold'))
  noProblems(problems, 'h2 stream reset')
})

test('an upstream that dies mid-body: the client sees a cut response (curl exit 18, raw socket incomplete), and it is counted in ramp_upstream_errors_total', async (t) => {
  const be = await rawBackend(t, (_head, socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n${'d'.repeat(10_000)}`)
    setTimeout(() => socket.destroy(), 50)
  })
  const w = await world(t, { config: `stable: { name: v1, backends: ["${be.url}"] }\n` })
  const before = await w.metrics()
  const problems: string[] = []

  const run = await curl(['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', `${w.urls.main}/download`])
  // 18: "transfer closed with outstanding read data remaining"; 56: the connection was reset.
  if (run.code !== 18 && run.code !== 56) problems.push(`curl exit ${run.code} (${run.stdout}; ${run.stderr.trim()}), not 18 or 56`)

  const c = await RawClient.open(t, w.urls.main)
  c.write('GET /download HTTP/1.1\r\nHost: svc.example\r\n\r\n')
  const res = await c.response({ timeoutMs: 3000 })
  if (res.status !== 200) problems.push(`raw client got ${res.status}, the backend's 200 had been started`)
  if (res.complete) problems.push(`raw client got a complete-looking response (${res.framing}, ${res.body.length} bytes)`)
  if (res.body.length >= 100_000) problems.push('raw client got the whole body')

  await sleep(100)
  const after = await w.metrics()
  const counted = sumOf(after, 'ramp_upstream_errors_total') - sumOf(before, 'ramp_upstream_errors_total')
  if (counted !== 2) problems.push(`${counted} upstream errors counted for the 2 cut responses: ${seriesOf(after, 'ramp_upstream_errors_total').join('; ') || 'none'}`)
  noProblems(problems, 'upstream died mid-body')
})
