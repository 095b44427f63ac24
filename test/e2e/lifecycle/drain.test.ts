import assert from 'node:assert/strict'
import type { IncomingMessage, Server } from 'node:http'
import { test } from 'node:test'
import { Pool } from 'undici'
import { backend, waitFor } from '../../support/ramp.js'
import { configFile, opening, serve } from '../../support/spawn.js'
import { accessLines, get, logLines } from './support.js'

interface Outcome { id: string; status?: number; connection?: string; complete?: boolean; error?: string }

/** Seen by the backend: ramp accepted the request and forwarded it. */
function arrivals(server: Server): Set<string> {
  const seen = new Set<string>()
  server.on('request', (req: IncomingMessage) => { seen.add(new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '') })
  return seen
}

test('SIGTERM under keep-alive load: no accepted request fails, /readyz is 503 during the drain, slow requests finish with connection: close, exit 0', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const reached = arrivals(v1.server)
  const file = configFile(t, `${opening('access: true')}stable: { name: v1, backends: ["${v1.url}"] }\ndrainTimeoutMs: 10000\n`)
  const ramp = await serve(t, file.path)

  const outcomes: Outcome[] = []
  const send = async (pool: Pool, id: string, delay: number): Promise<Outcome> => {
    const o: Outcome = { id }
    outcomes.push(o)
    try {
      const res = await pool.request({ method: 'GET', path: `/?id=${id}&delay=${delay}` })
      o.status = res.statusCode
      o.connection = String(res.headers.connection ?? '')
      const body = JSON.parse(await res.body.text()) as { version: string }
      o.complete = body.version === 'v1'
    } catch (err) {
      o.error = (err as { code?: string }).code ?? (err as Error).message
    }
    return o
  }
  // Keep-alive clients that send until the connection is refused, and three slow requests.
  const pool = new Pool(ramp.urls.main, { connections: 12, pipelining: 1 })
  const slowPool = new Pool(ramp.urls.main, { connections: 3, pipelining: 1 })
  t.after(() => Promise.all([pool.destroy(), slowPool.destroy()]))
  let n = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = n++
      const o = await send(pool, `load-${i}`, i % 10 === 0 ? 40 : 0)
      if (o.error !== undefined) return
    }
  }
  const load = Promise.all(Array.from({ length: 12 }, worker))
  await waitFor('some load', () => outcomes.filter((o) => o.status === 200).length > 200, 15_000)
  // In flight at the signal, and answered well after it.
  const slow = [0, 1, 2].map((i) => send(slowPool, `slow-${i}`, 1500))
  await waitFor('the slow requests to reach the backend', () => [0, 1, 2].every((i) => reached.has(`slow-${i}`)))

  ramp.proc.child.kill('SIGTERM')
  await waitFor('/readyz to answer 503', async () => (await get(`${ramp.urls.admin}/readyz`)).status === 503, 2000)
  const status = await get(`${ramp.urls.admin}/api/v1/status`)
  assert.equal(status.status, 200, 'the admin API keeps answering during the drain')

  const slowDone = await Promise.all(slow)
  await load
  assert.deepEqual(await ramp.proc.exit, { code: 0, signal: null }, ramp.proc.stderr())

  for (const o of slowDone) {
    assert.equal(o.status, 200, `${o.id}: ${o.error ?? ''}`)
    assert.equal(o.complete, true, `${o.id} came back whole`)
    assert.equal(o.connection, 'close', `${o.id}, answered during the drain, tells its keep-alive client to close`)
  }
  // Every request ramp accepted (logged it) was answered 2xx and whole; every request that
  // failed at the client was one ramp never accepted (a refused connection, or a keep-alive
  // socket closed while idle before ramp read anything from it).
  const accepted = accessLines(ramp.proc)
  assert.ok(accepted.length > 200, `${accepted.length} requests logged`)
  for (const a of accepted) assert.ok(a.status >= 200 && a.status < 300 && a.completed, `accepted and not served whole: ${JSON.stringify(a)}`)
  const acceptedIds = new Set(accepted.map((a) => new URL(a.url, 'http://x').searchParams.get('id')))
  const failed = outcomes.filter((o) => o.error !== undefined)
  for (const o of failed) assert.ok(!acceptedIds.has(o.id), `${o.id} was accepted, then failed with ${o.error}`)
  for (const o of outcomes.filter((x) => x.error === undefined)) assert.equal(o.status, 200, o.id)
  assert.ok(failed.length > 0 && failed.some((o) => o.error === 'ECONNREFUSED'), `new connections are refused once draining: ${JSON.stringify(failed.slice(0, 3))}`)

  const lines = logLines(ramp.proc)
  const started = lines.find((l) => l.msg.startsWith('drain started'))
  const finished = lines.find((l) => l.msg.startsWith('drain finished'))
  assert.ok(started !== undefined && (started.drain as { inFlight: number }).inFlight >= 3, JSON.stringify(started))
  assert.ok(finished !== undefined && (finished.drain as { cut: number; completed: number }).cut === 0, JSON.stringify(finished))
  assert.ok((finished.drain as { completed: number }).completed >= 3)
})

test('a request slower than drainTimeoutMs is cut at the deadline: a warning counts it, exit 3', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const reached = arrivals(v1.server)
  const file = configFile(t, `${opening()}stable: { name: v1, backends: ["${v1.url}"] }\ndrainTimeoutMs: 300\n`)
  const ramp = await serve(t, file.path)
  const slow = get(`${ramp.urls.main}/?id=slow&delay=4000`).then(() => 'answered', (err: { code?: string }) => err.code ?? 'failed')
  await waitFor('the slow request to reach the backend', () => reached.has('slow'))
  const signalledAt = Date.now()
  ramp.proc.child.kill('SIGTERM')
  assert.deepEqual(await ramp.proc.exit, { code: 3, signal: null }, ramp.proc.stderr())
  assert.ok(Date.now() - signalledAt < 3000, 'exits soon after the deadline, not when the request would have finished')
  assert.notEqual(await slow, 'answered')
  const warning = logLines(ramp.proc).find((l) => l.level === 40 && l.msg.includes('drain deadline of 300 ms passed'))
  assert.ok(warning !== undefined, ramp.proc.stdout())
  assert.match(warning.msg, /cut 1 request still in flight \(1 connection\)/)
})

test('a second SIGTERM during the drain cuts at once: exit 3', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const reached = arrivals(v1.server)
  const file = configFile(t, `${opening()}stable: { name: v1, backends: ["${v1.url}"] }\ndrainTimeoutMs: 30000\n`)
  const ramp = await serve(t, file.path)
  const slow = get(`${ramp.urls.main}/?id=slow&delay=4000`).catch(() => undefined)
  await waitFor('the slow request to reach the backend', () => reached.has('slow'))
  ramp.proc.child.kill('SIGTERM')
  await ramp.proc.line(/drain started/)
  const secondAt = Date.now()
  ramp.proc.child.kill('SIGTERM')
  assert.deepEqual(await ramp.proc.exit, { code: 3, signal: null }, ramp.proc.stderr())
  assert.ok(Date.now() - secondAt < 3000, 'did not wait for the 30 s deadline')
  await slow
  assert.ok(logLines(ramp.proc).some((l) => l.msg.includes('a second signal cut the drain short: cut 1 request')), ramp.proc.stdout())
})
