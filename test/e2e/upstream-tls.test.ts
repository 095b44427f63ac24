import assert from 'node:assert/strict'
import { createServer } from 'node:https'
import { PassThrough } from 'node:stream'
import { test, type TestContext } from 'node:test'
import { request } from 'undici'
import { createLogger } from '../../src/log.js'
import { selfSigned } from '../support/certs.js'
import { rampWith } from '../support/ramp.js'

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
  const ramp = await rampWith(t, `listen: { port: 0 }\nstable: { name: v1, backends: ["${url}"] }\n`)
  const res = await request(ramp.urls.main)
  const body = await res.body.text()
  assert.equal(res.statusCode, 502)
  assert.match(body, /has a self-signed certificate/)
  assert.match(await ramp.metrics.registry.getSingleMetricAsString('ramp_upstream_errors_total'), /reason="tls"\} 1/)
})

test('upstream.tls.insecureSkipVerify: true reaches the same backend, and says so in a warning at start', async (t) => {
  const url = await selfSignedBackend(t)
  const out = new PassThrough()
  let logged = ''
  out.on('data', (c: Buffer) => { logged += c.toString() })
  const ramp = await rampWith(t, `listen: { port: 0 }\nstable: { name: v1, backends: ["${url}"] }\nupstream: { tls: { insecureSkipVerify: true } }\n`, { log: createLogger({ level: 'warn', format: 'json' }, out) })
  const res = await request(ramp.urls.main)
  assert.equal(res.statusCode, 200)
  assert.equal(await res.body.text(), 'secure')
  const warning = logged.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.startsWith('upstream.tls.insecureSkipVerify is set'))
  assert.equal(warning?.level, 40, 'logged at warn')
})
