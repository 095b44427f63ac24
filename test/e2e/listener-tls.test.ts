import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { test } from 'node:test'
import { Agent, request } from 'undici'
import type { RampError } from '../../src/errors.js'
import { selfSigned } from '../support/certs.js'
import { open, reply, wsBackend, wsUrl } from '../support/websocket.js'
import { curl } from '../support/wire/curl.js'
import { spawnRamp } from '../support/world/process.js'
import { echoHeaders, recorder } from '../support/world/recorder.js'
import { world } from '../support/world/world.js'

/** The SHA-256 fingerprint of the certificate a server presents to a new connection. */
function servedFingerprint(url: string, ca: Buffer[]): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca }, () => {
      resolve(socket.getPeerCertificate().fingerprint256)
      socket.end()
    })
    socket.on('error', reject)
  })
}

function fingerprintOf(pem: Buffer): string {
  return new X509Certificate(pem).fingerprint256
}

test('a TLS listener serves https: curl --cacert gets 200, and x-forwarded-proto: https reaches the backend', async (t) => {
  const echo = await recorder(t, echoHeaders)
  const cert = selfSigned(t)
  const w = await world(t, { config: `listen: { port: 0, tls: { cert: "${cert.certPath}", key: "${cert.keyPath}" } }\nstable: { name: v1, backends: ["${echo.url}"] }\n` })
  assert.match(w.urls.main, /^https:\/\/127\.0\.0\.1:\d+$/)
  const res = await curl(['-si', '--cacert', cert.certPath, `${w.urls.main}/hello`])
  assert.match(res.stdout, /^HTTP\/1\.1 200 OK\r$/m)
  assert.equal(echo.arrived().at(-1)?.headers['x-forwarded-proto'], 'https')
  assert.equal(echo.arrived().at(-1)?.headers['x-forwarded-host'], new URL(w.urls.main).host)
})

test('a TLS admin listener: its URL says https and undici with the CA gets /healthz', async (t) => {
  const echo = await recorder(t, echoHeaders)
  const cert = selfSigned(t)
  const w = await world(t, { config: `listen: { port: 0 }\nadmin: { tls: { cert: "${cert.certPath}", key: "${cert.keyPath}" } }\nstable: { name: v1, backends: ["${echo.url}"] }\n` })
  assert.match(w.urls.admin, /^https:/)
  assert.match(w.urls.main, /^http:/, 'only the listener with tls is https')
  const dispatcher = new Agent({ connect: { ca: cert.cert } })
  t.after(() => dispatcher.close())
  const res = await request(`${w.urls.admin}/healthz`, { dispatcher })
  await res.body.dump()
  assert.equal(res.statusCode, 200)
})

// reloadTls is what SIGHUP calls: called here in the process, so its throw can be asserted on.
test('reloadTls serves the new certificate to new connections; a bad file changes nothing', async (t) => {
  const echo = await recorder(t, echoHeaders)
  const first = selfSigned(t, 'first')
  const second = selfSigned(t, 'second')
  const live = selfSigned(t, 'live')
  copyFileSync(first.certPath, live.certPath)
  copyFileSync(first.keyPath, live.keyPath)
  const w = await world(t, { config: `listen: { port: 0, tls: { cert: "${live.certPath}", key: "${live.keyPath}" } }\nstable: { name: v1, backends: ["${echo.url}"] }\n` })
  const ca = [first.cert, second.cert]
  assert.equal(await servedFingerprint(w.urls.main, ca), fingerprintOf(first.cert))

  copyFileSync(second.certPath, live.certPath)
  copyFileSync(second.keyPath, live.keyPath)
  assert.deepEqual(w.ramp.reloadTls(), ['listen.tls'])
  assert.equal(await servedFingerprint(w.urls.main, ca), fingerprintOf(second.cert))

  writeFileSync(live.keyPath, 'not a key')
  assert.throws(() => w.ramp.reloadTls(), (err: RampError) => err.code === 'RAMP_ERR_TLS_INVALID' && err.message.startsWith(`listen.tls.key: ${live.keyPath} is not a PEM private key`))
  assert.equal(await servedFingerprint(w.urls.main, ca), fingerprintOf(second.cert), 'the running certificate stays')
})

test('a WebSocket through a TLS listener (wss): x-forwarded-proto: https on the upgrade', async (t) => {
  const v1 = await wsBackend(t, 'v1')
  const cert = selfSigned(t)
  const w = await world(t, { config: `listen: { port: 0, tls: { cert: "${cert.certPath}", key: "${cert.keyPath}" } }\nstable: { name: v1, backends: ["${v1.url}"] }\n` })
  const ws = await open(t, wsUrl(w.urls.main), { ca: cert.cert })
  assert.equal(await reply(ws, 'x'), 'v1:x')
  assert.equal(v1.heads[0]?.['x-forwarded-proto'], 'https')
})

test('a missing certificate file: ramp serve and ramp validate exit 2 naming the key path and the file, relative to the config file', async (t) => {
  const cert = selfSigned(t)
  const file = join(cert.dir, 'ramp.yaml')
  writeFileSync(file, 'listen: { port: 0, tls: { cert: missing.pem, key: key.pem } }\nadmin: { port: 0 }\nstable: { name: v1, backends: ["http://127.0.0.1:9"] }\nstate: { store: memory }\n')
  const says = `listen.tls.cert: cannot read ${join(cert.dir, 'missing.pem')} (ENOENT)`
  for (const args of [['serve', '-c', file], ['validate', file]]) {
    const ramp = spawnRamp(t, args)
    const { code } = await ramp.exit
    assert.equal(code, 2, args[0])
    assert.ok(ramp.stderr().includes(says), `${args[0]}: stderr lacks "${says}":\n${ramp.stderr()}`)
    assert.doesNotMatch(ramp.stdout(), /ramp listening|valid/)
  }
})
