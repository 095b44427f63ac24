import assert from 'node:assert/strict'
import type { IncomingMessage, Server } from 'node:http'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { Pool } from 'undici'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import type { LogLine } from '../../support/world/logs.js'
import { world } from '../../support/world/world.js'

interface Outcome { id: string; status?: number; connection?: string; complete?: boolean; error?: string }

/** Seen by the backend: ramp accepted the request and forwarded it. */
function arrivals(server: Server): Set<string> {
  const seen = new Set<string>()
  server.on('request', (req: IncomingMessage) => { seen.add(new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '') })
  return seen
}

/** How a TCP connection to `url` fails (its error code), or null when it is accepted. */
function connectError(url: string): Promise<string | null> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    socket.once('connect', () => { socket.destroy(); resolve(null) })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.message) })
  })
}

const drain = (l: LogLine): { inFlight: number; completed: number; cut: number } => l.drain as { inFlight: number; completed: number; cut: number }
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

// With workers, SIGTERM reaches the primary, and each worker drains the connections it was
// handed and logs its own drain: the checks add up what every process reported.
for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    test('SIGTERM under keep-alive load: no accepted request fails, /readyz is 503 during the drain, slow requests finish with connection: close, exit 0', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const reached = arrivals(v1.server)
      const w = await world(t, { config: release({ v1: v1.url, more: 'log: { access: true }\ndrainTimeoutMs: 10000' }), process: true, workers })

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
      const pool = new Pool(w.urls.main, { connections: 12, pipelining: 1 })
      const slowPool = new Pool(w.urls.main, { connections: 3, pipelining: 1 })
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

      w.proc.child.kill('SIGTERM')
      let slowEnded = false
      const slowAll = Promise.all(slow).finally(() => { slowEnded = true })
      // Asked of a connection of its own: the load's clients may all meet a reset instead (all 12
      // did under CPU hogs), each sending its next request on a keep-alive connection that the
      // drain closed while idle, before this process read the close.
      await waitFor('a new connection to be refused', async () => (await connectError(w.urls.main)) === 'ECONNREFUSED', 2000)
      assert.equal(slowEnded, false, 'new connections are refused while the slow requests are still in flight')
      await waitFor('/readyz to answer 503', async () => (await w.admin.call('GET', '/readyz')).status === 503, 2000)
      const status = await w.admin.call('GET', '/api/v1/status')
      assert.equal(status.status, 200, 'the admin API keeps answering during the drain')

      const slowDone = await slowAll
      await load
      assert.deepEqual(await w.proc.exit, { code: 0, signal: null }, w.proc.stderr())

      for (const o of slowDone) {
        assert.equal(o.status, 200, `${o.id}: ${o.error ?? ''}`)
        assert.equal(o.complete, true, `${o.id} came back whole`)
        assert.equal(o.connection, 'close', `${o.id}, answered during the drain, tells its keep-alive client to close`)
      }
      // Every request ramp accepted (logged it) was answered 2xx and whole; every request that
      // failed at the client was one ramp never accepted (a refused connection, or a keep-alive
      // socket closed while idle before ramp read anything from it).
      const accepted = w.access()
      assert.ok(accepted.length > 200, `${accepted.length} requests logged`)
      for (const a of accepted) assert.ok(a.status >= 200 && a.status < 300 && a.completed, `accepted and not served whole: ${JSON.stringify(a)}`)
      const acceptedIds = new Set(accepted.map((a) => new URL(a.url, 'http://x').searchParams.get('id')))
      const failed = outcomes.filter((o) => o.error !== undefined)
      for (const o of failed) assert.ok(!acceptedIds.has(o.id), `${o.id} was accepted, then failed with ${o.error}`)
      for (const o of outcomes.filter((x) => x.error === undefined)) assert.equal(o.status, 200, o.id)

      const lines = w.logs()
      const started = lines.filter((l) => l.msg.startsWith('drain started'))
      const finished = lines.filter((l) => l.msg.startsWith('drain finished'))
      assert.ok(started.length > 0 && sum(started.map((l) => drain(l).inFlight)) >= 3, JSON.stringify(started))
      assert.ok(finished.length > 0 && finished.every((l) => drain(l).cut === 0), JSON.stringify(finished))
      assert.deepEqual(lines.filter((l) => l.level === 40 && /: cut \d+ requests? still in flight/.test(l.msg)).map((l) => l.msg), [], 'no process cut a request')
      assert.ok(sum(finished.map((l) => drain(l).completed)) >= 3)
    })

    test('a request slower than drainTimeoutMs is cut at the deadline: a warning counts it, exit 3', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const reached = arrivals(v1.server)
      const w = await world(t, { config: release({ v1: v1.url, more: 'drainTimeoutMs: 300' }), process: true, workers })
      const slow = w.send('/?id=slow&delay=4000').then(() => 'answered', (err: { code?: string }) => err.code ?? 'failed')
      await waitFor('the slow request to reach the backend', () => reached.has('slow'))
      const signalledAt = Date.now()
      w.proc.child.kill('SIGTERM')
      assert.deepEqual(await w.proc.exit, { code: 3, signal: null }, w.proc.stderr())
      assert.ok(Date.now() - signalledAt < 3000, 'exits soon after the deadline, not when the request would have finished')
      assert.notEqual(await slow, 'answered')
      const warning = w.logs().find((l) => l.level === 40 && l.msg.includes('drain deadline of 300 ms passed'))
      assert.ok(warning !== undefined, w.proc.stdout())
      assert.match(warning.msg, /cut 1 request still in flight \(1 connection\)/)
    })

    test('a second SIGTERM during the drain cuts at once: exit 3', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const reached = arrivals(v1.server)
      const w = await world(t, { config: release({ v1: v1.url, more: 'drainTimeoutMs: 30000' }), process: true, workers })
      const slow = w.send('/?id=slow&delay=4000').catch(() => undefined)
      await waitFor('the slow request to reach the backend', () => reached.has('slow'))
      w.proc.child.kill('SIGTERM')
      await w.proc.line(/drain started/)
      const secondAt = Date.now()
      w.proc.child.kill('SIGTERM')
      assert.deepEqual(await w.proc.exit, { code: 3, signal: null }, w.proc.stderr())
      assert.ok(Date.now() - secondAt < 3000, 'did not wait for the 30 s deadline')
      await slow
      assert.ok(w.logs().some((l) => l.msg.includes('a second signal cut the drain short: cut 1 request')), w.proc.stdout())
    })
  })
}
