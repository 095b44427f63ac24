import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { selfSigned } from '../support/certs.js'
import { closed, connectionsOf, listen, open, reply, wsBackend, wsUrl } from '../support/websocket.js'
import { exchange, portOf } from '../support/wire/exchange.js'
import { release } from '../support/world/config.js'
import { waitFor } from '../support/world/eventually.js'
import { world, type World } from '../support/world/world.js'

const tunnelsOpen = (w: World): Promise<number> => w.metric('ramp_tunnels_open')

/** What the first backend of v1 has in flight: shown by no listener, read in this process. */
const inflight = (w: World): number | undefined => w.ramp.tables.current.stable.backends[0]?.inflight

/** Sends raw bytes and collects everything the peer sends until it closes. */
const rawExchange = async (port: number, bytes: string): Promise<string> => (await exchange(port, [bytes])).text

const upgradeHead = (path: string, protocol: string): string => `GET ${path} HTTP/1.1\r\nHost: app.example\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\n\r\n`

test('a WebSocket through the main listener goes to one version, chosen once: the override header routes it to the canary', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const v2 = await wsBackend(t, 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0 }) })
  await w.routed()

  const toCanary = await open(t, wsUrl(w.urls.main), { headers: { 'x-ramp-version': 'v2' } })
  for (const m of ['a', 'b', 'c']) assert.equal(await reply(toCanary, m), `v2:${m}`)
  const toStable = await open(t, wsUrl(w.urls.main))
  assert.equal(await reply(toStable, 'a'), 'v1:a')

  const head = v2.heads[0] as IncomingHttpHeaders
  assert.equal(head['x-ramp-version'], 'v2')
  assert.equal(head['x-forwarded-for'], '127.0.0.1')
  assert.equal(head['x-forwarded-proto'], 'http')
  assert.equal(head.host, new URL(w.urls.main).host, 'the client\'s Host is kept (preserveHost)')
  assert.equal(head.connection, 'upgrade')
  assert.equal(head.upgrade, 'websocket')
  assert.equal(await w.metric('ramp_routing_decisions_total', { reason: 'header', version: 'v2' }), 1)
  assert.equal(await w.metric('ramp_requests_total', { listener: 'main', version: 'v2', code: '1xx' }), 1)
})

test('a WebSocket through the preview listener reaches the canary', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const v2 = await wsBackend(t, 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, preview: true }) })
  await w.routed()
  const ws = await open(t, wsUrl(w.urls.preview as string))
  assert.equal(await reply(ws, 'hello'), 'v2:hello')
})

test('the tunnel holds its backend in flight, and closes on both sides when the backend closes', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\n` })
  const ws = await open(t, wsUrl(w.urls.main))
  assert.equal(await reply(ws, 'x'), 'v1:x')
  assert.equal(inflight(w), 1)
  assert.equal(await tunnelsOpen(w), 1)

  const code = closed(ws)
  ws.send('bye')
  assert.equal(await code, 1000, 'the backend\'s close frame reached the client')
  await waitFor('the tunnel to close', async () => (await tunnelsOpen(w)) === 0 && inflight(w) === 0 && (await v1.connections()) === 0)
})

test('the tunnel closes on both sides when the client goes away', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\n` })
  const ws = await open(t, wsUrl(w.urls.main))
  assert.equal(await reply(ws, 'x'), 'v1:x')
  assert.equal(await v1.connections(), 1)
  ws.terminate()
  await waitFor('the backend side to close', async () => (await v1.connections()) === 0 && (await tunnelsOpen(w)) === 0)
  assert.equal(inflight(w), 0)
})

test('any Upgrade protocol is tunnelled as bytes: `Upgrade: x-test` to a backend that answers 101 and echoes', async (t) => {
  const heads: IncomingHttpHeaders[] = []
  const server = createServer((_req, res) => res.end('ok'))
  server.on('upgrade', (req, socket: Socket, head: Buffer) => {
    heads.push(req.headers)
    socket.on('error', () => undefined)
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x-test\r\nX-Backend: raw\r\n\r\n')
    if (head.length > 0) socket.write(head)
    socket.pipe(socket)
  })
  const port = await listen(t, server)
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:${port}"] }\nversionHeader: { response: true }\n` })

  const socket = connect(portOf(w.urls.main), '127.0.0.1')
  t.after(() => socket.destroy())
  let got = ''
  socket.on('data', (c: Buffer) => { got += c.toString('latin1') })
  // Bytes sent right after the head, before the 101, must reach the backend too.
  socket.write(`${upgradeHead('/raw', 'x-test')}early-`)
  await waitFor('the 101 and the early bytes echoed', () => got.endsWith('early-'))
  const [head] = got.split('\r\n\r\n')
  assert.match(head as string, /^HTTP\/1\.1 101 Switching Protocols\r\n/)
  assert.match(head as string, /\r\nupgrade: x-test(\r\n|$)/i)
  assert.match(head as string, /\r\nconnection: upgrade(\r\n|$)/i)
  assert.match(head as string, /\r\nx-backend: raw(\r\n|$)/)
  assert.match(head as string, /\r\nx-ramp-version: v1(\r\n|$)/)
  socket.write('later')
  await waitFor('bytes after the upgrade echoed', () => got.endsWith('early-later'))
  assert.equal(heads[0]?.upgrade, 'x-test')
  assert.equal(heads[0]?.host, 'app.example')

  socket.end()
  await waitFor('both sides closed', async () => (await connectionsOf(server)) === 0 && (await tunnelsOpen(w)) === 0)
})

test('a backend that refuses the connection: the client gets the 502 of a plain request on its socket', async (t) => {
  const gone = createServer()
  const port = await listen(t, gone)
  await new Promise<void>((r) => gone.close(() => r()))
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:${port}"] }\n` })

  const answer = await rawExchange(portOf(w.urls.main), upgradeHead('/chat', 'websocket'))
  const [head, body] = answer.split('\r\n\r\n')
  assert.match(head as string, /^HTTP\/1\.1 502 Bad Gateway\r\n/)
  assert.match(head as string, /\r\nx-ramp-error: RAMP_ERR_UPSTREAM_CONNECT(\r\n|$)/)
  assert.equal(body, `502 version v1: backend http://127.0.0.1:${port} refused the connection (ECONNREFUSED)\n`)
  assert.equal(await w.metric('ramp_upstream_errors_total', { version: 'v1', reason: 'connect' }), 1)
  assert.equal(await w.metric('ramp_requests_total', { listener: 'main', version: 'v1', code: '5xx' }), 1)
  await waitFor('the backend out of flight', () => inflight(w) === 0)
})

test('a backend that answers the upgrade without 101: its response is relayed and the connection closed', async (t) => {
  const server = createServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('no upgrades here'))
  const port = await listen(t, server)
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:${port}"] }\n` })

  const answer = await rawExchange(portOf(w.urls.main), upgradeHead('/chat', 'websocket'))
  const [head, body] = answer.split('\r\n\r\n')
  assert.match(head as string, /^HTTP\/1\.1 426 Upgrade Required\r\n/)
  assert.match(head as string, /\r\nconnection: close(\r\n|$)/)
  assert.equal(body, 'no upgrades here')
  await waitFor('the backend out of flight', () => inflight(w) === 0)
})

test('closeTunnels ends open tunnels on both sides and refuses new upgrades with 503', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\n` })
  const ws = await open(t, wsUrl(w.urls.main))
  assert.equal(await reply(ws, 'x'), 'v1:x')
  const code = closed(ws)
  // closeTunnels is what a drain calls first; called here in the process to test it alone.
  await w.ramp.closeTunnels()
  await code
  assert.equal(await tunnelsOpen(w), 0)
  await waitFor('the backend side to close', async () => (await v1.connections()) === 0)

  const answer = await rawExchange(portOf(w.urls.main), upgradeHead('/chat', 'websocket'))
  assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/)
  assert.match(answer, /\r\nx-ramp-error: RAMP_ERR_LISTENER_CLOSING\r\n/)
})

test('a sticky newcomer\'s upgrade gets its bucket cookie on the 101', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const w = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\nstickiness: { cookie: ramp_bucket }\n` })
  const ws = new WebSocket(wsUrl(w.urls.main))
  t.after(() => ws.terminate())
  const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
    ws.once('upgrade', (res: { headers: IncomingHttpHeaders }) => resolve(res.headers))
    ws.once('error', reject)
  })
  assert.match(String(headers['set-cookie']), /^ramp_bucket=\d+;/)
})

test('an https backend\'s certificate is verified for an upgrade too; insecureSkipVerify opts out', async (t) => {
  const { cert, key } = selfSigned(t)
  const v1 = await wsBackend(t, 'v1', { cert, key })
  const verified = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\n` })
  const answer = await rawExchange(portOf(verified.urls.main), upgradeHead('/chat', 'websocket'))
  assert.match(answer, /^HTTP\/1\.1 502 Bad Gateway\r\n/)
  assert.match(answer, /has a self-signed certificate/)

  const skipping = await world(t, { config: `listen: { port: 0 }\nstable: { name: v1, backends: ["${v1.url}"] }\nupstream: { tls: { insecureSkipVerify: true } }\n` })
  const ws = await open(t, wsUrl(skipping.urls.main))
  assert.equal(await reply(ws, 'x'), 'v1:x')
})
