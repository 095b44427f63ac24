import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { exchange, portOf, statusOf } from '../../support/wire/exchange.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { recorder } from '../../support/world/recorder.js'
import { world, type World } from '../../support/world/world.js'
import { bigOrEarly } from './upstream.js'

const rejections = (w: World, listener: string, reason: string): Promise<number> => w.metric('ramp_client_rejections_total', { listener, reason })

const yamlFor = (backend: string, clients: string): string => release({ v1: backend, more: `clients: ${clients}` })

test('a request head larger than clients.maxHeaderBytes gets 431 on every listener; one under it passes', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ maxHeaderBytes: 2048 }') })
  const fits = await request(`${w.urls.main}/`, { headers: { 'x-pad': 'a'.repeat(1500) } })
  assert.equal(fits.statusCode, 200)
  await fits.body.dump()
  for (const url of [w.urls.main, w.urls.admin]) {
    const got = await exchange(portOf(url), [`GET /healthz HTTP/1.1\r\nHost: app\r\nX-Pad: ${'a'.repeat(3000)}\r\n\r\n`])
    assert.equal(statusOf(got.text), 431, url)
    assert.match(got.text, /x-ramp-error: RAMP_ERR_CLIENT_HEADERS_TOO_LARGE/)
  }
  assert.equal(backend.seen.length, 1)
  assert.equal(await rejections(w, 'main', 'headers_too_large'), 1)
  assert.equal(await rejections(w, 'admin', 'headers_too_large'), 1)
})

test('headers past clients.maxHeaderCount are dropped, as Node drops them', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ maxHeaderCount: 10 }') })
  const extra = Array.from({ length: 30 }, (_, i) => `X-H-${i}: ${i}\r\n`).join('')
  const got = await exchange(portOf(w.urls.main), [`GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n${extra}\r\n`])
  assert.equal(statusOf(got.text), 200)
  const seen = Object.keys(backend.seen[0]?.headers ?? {}).filter((h) => h.startsWith('x-h-'))
  // Host, Connection and x-h-0..x-h-7 are the ten kept.
  assert.deepEqual(seen, Array.from({ length: 8 }, (_, i) => `x-h-${i}`))
})

test('slowloris: a head dripped a line at a time is cut near clients.headersTimeoutMs with 408, on every listener', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ headersTimeoutMs: 300 }') })
  for (const url of [w.urls.main, w.urls.admin]) {
    const drip = ['GET / HTTP/1.1\r\nHost: app\r\n', ...Array.from({ length: 60 }, (_, i) => `X-Drip-${i}: a\r\n`)]
    const got = await exchange(portOf(url), drip, { gapMs: 50, closeAfterMs: 5000 })
    assert.equal(statusOf(got.text), 408, url)
    assert.match(got.text, /x-ramp-error: RAMP_ERR_CLIENT_TIMEOUT/)
    // Node looks for late heads every connectionsCheckingInterval (30 s by default); ramp sets a tenth of the limit.
    assert.ok(got.ms >= 280 && got.ms < 1200, `cut after ${got.ms.toFixed(0)} ms`)
  }
  assert.equal(backend.seen.length, 0)
  assert.equal(await rejections(w, 'main', 'timeout'), 1)
  assert.equal(await rejections(w, 'admin', 'timeout'), 1)
})

test('a connection that never sends a byte is closed at clients.headersTimeoutMs', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ headersTimeoutMs: 300 }') })
  const got = await exchange(portOf(w.urls.main), [], { closeAfterMs: 5000 })
  assert.ok(got.ms >= 280 && got.ms < 1200, `closed after ${got.ms.toFixed(0)} ms`)
})

test('an upload slower than clients.requestTimeoutMs is cut with 408 and its upstream request aborted', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ headersTimeoutMs: 200, requestTimeoutMs: 500 }') })
  const drip = ['POST /upload HTTP/1.1\r\nHost: app\r\nContent-Length: 100\r\n\r\n', ...Array.from({ length: 100 }, () => 'x')]
  const got = await exchange(portOf(w.urls.main), drip, { gapMs: 50, closeAfterMs: 5000 })
  assert.equal(statusOf(got.text), 408)
  assert.ok(got.ms >= 480 && got.ms < 1500, `cut after ${got.ms.toFixed(0)} ms`)
  await waitFor('the upstream request to end', () => backend.seen.filter((s) => s.ended).length === 1)
  assert.equal(backend.seen[0]?.complete, false)
})

test('an idle keep-alive connection outlives clients.headersTimeoutMs and is closed after clients.keepAliveTimeoutMs', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ headersTimeoutMs: 100, keepAliveTimeoutMs: 600 }') })
  const socket = connect(portOf(w.urls.main), '127.0.0.1')
  socket.on('error', () => undefined)
  let answeredAt = 0
  let text = ''
  socket.on('data', (c: Buffer) => {
    text += c.toString('latin1')
    if (answeredAt === 0 && text.endsWith('ok')) answeredAt = performance.now()
  })
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())))
  socket.write('GET / HTTP/1.1\r\nHost: app\r\n\r\n')
  const idle = (await closed) - answeredAt
  assert.equal(statusOf(text), 200)
  // Node keeps about a second of grace past the timeout it announces in Keep-Alive.
  assert.ok(idle >= 550 && idle < 3000, `closed ${idle.toFixed(0)} ms after the response`)
})

test('connections past clients.maxConnections are closed unanswered, and counted; a freed slot serves again', async (t) => {
  const backend = await recorder(t, bigOrEarly)
  const w = await world(t, { config: yamlFor(backend.url, '{ maxConnections: 2, headersTimeoutMs: 1000 }') })
  const port = portOf(w.urls.main)
  const held: Socket[] = []
  for (let i = 0; i < 2; i++) {
    const s = connect(port, '127.0.0.1')
    s.on('error', () => undefined)
    await new Promise<void>((r) => s.once('connect', () => r()))
    held.push(s)
  }
  // Connections are accepted in order, so both held ones are counted before this one.
  const refused = await exchange(port, ['GET / HTTP/1.1\r\nHost: app\r\n\r\n'], { closeAfterMs: 3000 })
  assert.equal(refused.text, '')
  assert.ok(refused.ms < 2000)
  assert.equal(await rejections(w, 'main', 'max_connections'), 1)
  assert.equal(backend.seen.length, 0)

  held[0]?.destroy()
  // ramp sees the close a moment later; until then a new connection is still one too many.
  await waitFor('a freed slot to serve', async () => statusOf((await exchange(port, ['GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n'])).text) === 200)
  held[1]?.destroy()
})
