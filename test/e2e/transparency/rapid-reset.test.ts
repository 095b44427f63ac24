import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test, type TestContext } from 'node:test'
import { Agent, request } from 'undici'
import { selfSigned } from '../../support/certs.js'
import { rampWith } from '../../support/ramp.js'
import { noProblems, recorder, scrape, seriesOf, sleep, tlsListener } from './support.js'

/**
 * Issue 11, abort both ways, HTTP/2: the rapid-reset attack (CVE-2023-44487). One session sends
 * up to 1000 requests, each HEADERS at once followed by RST_STREAM(CANCEL). ramp must close that
 * session (GOAWAY), the backends must get far fewer than 1000 requests (a cancelled stream
 * cancels its upstream request, and the session is cut at the configured reset rate), and a
 * normal client on another connection keeps getting answers within 100 ms meanwhile.
 *
 * The attacker runs in a child process: issuing 1000 requests takes node:http2 ~100 ms of
 * event loop, which would otherwise be counted against ramp, which runs in this process.
 */

const floodSize = 1000

/**
 * CommonJS run by `node -e`: one session sends the flood in rounds of 32 requests, each request
 * cancelled at once, yielding between rounds so that every round goes on the wire (a node:http2
 * client holds back streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS, and a stream
 * cancelled while held back is never sent). It stops early once the session got GOAWAY or was
 * closed, then waits up to 2 s for either. Prints one JSON line.
 */
const attacker = `
const http2 = require('node:http2')
const fs = require('node:fs')
const n = Number(process.env.FLOOD)
const session = http2.connect(process.env.TARGET, { ca: fs.readFileSync(process.env.CA) })
let goaway = null, closed = false, sent = 0, refused = null, floodMs = 0
session.on('error', () => {})
session.on('goaway', (code) => { goaway = code })
session.on('close', () => { closed = true })
const report = (extra) => { process.stdout.write(JSON.stringify({ sent, goaway, closed, refused, floodMs, ...extra }) + '\\n'); process.exit(0) }
session.once('remoteSettings', async () => {
  const start = Date.now()
  while (sent < n && goaway === null && !closed && refused === null) {
    for (let j = 0; j < 32 && sent < n; j++) {
      try {
        const r = session.request({ ':method': 'GET', ':path': '/flood/' + sent })
        r.on('error', () => {})
        r.close(http2.constants.NGHTTP2_CANCEL)
        sent++
      } catch (err) { refused = err.code; break }
    }
    await new Promise((r) => setImmediate(r))
  }
  floodMs = Date.now() - start
  const timer = setInterval(() => {
    if (closed || Date.now() - start > floodMs + 2000) { clearInterval(timer); session.destroy(); report({}) }
  }, 10)
})
setTimeout(() => report({ timeout: true }), 10000)
`

interface AttackReport { sent: number; goaway: number | null; closed: boolean; refused: string | null; floodMs: number; timeout?: boolean }

function attack(url: string, caPath: string): Promise<AttackReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', attacker], { env: { TARGET: url, CA: caPath, FLOOD: String(floodSize) }, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`attacker failed: ${err.message}\n${stderr}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as AttackReport)
    })
  })
}

async function rapidReset(t: TestContext, clients: string): Promise<void> {
  const be = await recorder(t, (req, res) => {
    req.resume()
    // A little work per request, as a real backend has.
    const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 20)
    res.on('close', () => clearTimeout(timer))
  })
  const cert = selfSigned(t)
  const ramp = await rampWith(t, `${tlsListener(cert, clients)}stable: { name: v1, backends: ["${be.url}"] }\n`)

  // The normal client: its own keep-alive connection, set up (TLS handshake) before the flood.
  const dispatcher = new Agent({ connect: { ca: cert.cert }, connections: 1 })
  t.after(() => dispatcher.close())
  const ask = async (): Promise<{ status: number; ms: number }> => {
    const start = performance.now()
    const res = await request(`${ramp.urls.main}/normal`, { dispatcher, headersTimeout: 5000, bodyTimeout: 5000 })
    await res.body.text()
    return { status: res.statusCode, ms: performance.now() - start }
  }
  assert.equal((await ask()).status, 200, 'the normal client is answered before the flood')

  let done = false
  const flood = attack(ramp.urls.main, cert.certPath).finally(() => { done = true })
  const normal: Array<{ status: number; ms: number }> = []
  for (let i = 0; i < 150 && !done; i++) {
    normal.push(await ask().catch(() => ({ status: 0, ms: Infinity })))
    await sleep(20)
  }
  const report = await flood
  await sleep(300)
  const reached = be.traffic().filter((s) => s.url.startsWith('/flood/')).length

  const problems: string[] = []
  if (report.goaway === null && !report.closed) {
    assert.equal(report.sent, floodSize, `the attacker sent its ${floodSize} requests (${JSON.stringify(report)})`)
    problems.push(`the attacking session got neither GOAWAY nor a close within 2 s of its ${report.sent} cancelled requests (${JSON.stringify(report)})`)
  }
  if (reached > floodSize / 4) problems.push(`${reached} of the ${floodSize} cancelled requests reached the backend`)
  const slow = normal.filter((r) => r.status !== 200 || r.ms > 100)
  if (normal.length === 0) problems.push('the normal client made no request during the flood')
  if (slow.length > 0) problems.push(`the normal client waited more than 100 ms or failed ${slow.length} times of ${normal.length}: ${slow.slice(0, 5).map((r) => `${r.status} in ${r.ms.toFixed(0)} ms`).join(', ')}`)
  const rejections = seriesOf(await scrape(ramp), 'ramp_client_rejections_total').join('; ') || 'none'
  t.diagnostic(`attacker ${JSON.stringify(report)}; backend got ${reached} flood requests; normal client: ${normal.length} requests, slowest ${Math.max(...normal.map((r) => r.ms)).toFixed(0)} ms; client rejections: ${rejections}`)
  noProblems(problems, 'rapid reset')
}

test('HTTP/2 rapid reset with the default limits: the offending session gets GOAWAY, the backends get far fewer than 1000 requests, a normal client is answered within 100 ms', async (t) => {
  await rapidReset(t, '')
})

test('HTTP/2 rapid reset with clients.h2MaxConcurrentStreams and clients.h2MaxResetsPerSecond set: the same', async (t) => {
  await rapidReset(t, 'clients: { h2MaxConcurrentStreams: 64, h2MaxResetsPerSecond: 50 }\n')
})
