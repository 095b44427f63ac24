import assert from 'node:assert/strict'
import { createServer } from 'node:https'
import { test, type TestContext } from 'node:test'
import { request } from 'undici'
import { selfSigned } from '../support/certs.js'
import { release } from '../support/world/config.js'
import { world } from '../support/world/world.js'

/** An https backend with a self-signed certificate for 127.0.0.1. */
async function selfSignedBackend(t: TestContext): Promise<string> {
  const { key, cert } = selfSigned(t)
  const server = createServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { 'x-demo-version': 'v1' }).end('secure')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections() }))
  return `https://127.0.0.1:${(server.address() as { port: number }).port}`
}

test('an https backend\'s certificate is verified by default: a self-signed one gets 502 naming the reason', async (t) => {
  const url = await selfSignedBackend(t)
  const w = await world(t, { config: release({ v1: url }) })
  const res = await request(w.urls.main)
  const body = await res.body.text()
  assert.equal(res.statusCode, 502)
  assert.match(body, /has a self-signed certificate/)
  assert.equal(await w.metric('ramp_upstream_errors_total', { reason: 'tls' }), 1)
})

test('upstream.tls.insecureSkipVerify: true reaches the same backend, and says so in a warning at start', async (t) => {
  const url = await selfSignedBackend(t)
  const w = await world(t, { config: release({ v1: url, more: 'upstream: { tls: { insecureSkipVerify: true } }' }), logLevel: 'warn' })
  const res = await request(w.urls.main)
  assert.equal(res.statusCode, 200)
  assert.equal(await res.body.text(), 'secure')
  const warning = w.logs().find((l) => l.msg.startsWith('upstream.tls.insecureSkipVerify is set'))
  assert.equal(warning?.level, 40, 'logged at warn')
})
