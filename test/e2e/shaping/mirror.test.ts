import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { Pool } from 'undici'
import { binomialBounds } from '../../support/prng.js'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { eventually, waitFor } from '../../support/world/eventually.js'
import { answerAs, latch, recorder, type Recorder } from '../../support/world/recorder.js'
import { seedFor, world, type World } from '../../support/world/world.js'

async function latencies(url: string, n: number, connections: number): Promise<number[]> {
  const pool = new Pool(url, { connections })
  const out: number[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const started = performance.now()
      const res = await pool.request({ method: 'GET', path: '/' })
      await res.body.dump()
      out.push(performance.now() - started)
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['x-demo-version'], 'v1')
    }
  }
  try {
    await Promise.all(Array.from({ length: connections }, worker))
  } finally {
    await pool.close()
  }
  return out
}

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1] as number

const chunks = (...parts: Buffer[]): Iterable<Buffer> => parts

for (const workers of [1, 2]) {
  describe(`workers: ${workers}`, () => {
    /** v1 and v2 both record what they are sent; weight 0, so v2 only ever sees copies. */
    async function mirrored(t: TestContext, more: string, seed: number): Promise<{ w: World; v1: Recorder; v2: Recorder }> {
      const [v1, v2] = [await recorder(t, answerAs('v1')), await recorder(t, answerAs('v2'))]
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more }), workers, ...seedFor(workers, seed) })
      await w.routed()
      return { w, v1, v2 }
    }

    test('the client never waits for the mirror: with a v2 that takes 2 s, the main p99 stays near the direct v1 latency', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const v2 = await recorder(t, answerAs('v2', { delayMs: 2000 }))
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: 'mirror: { percentage: 100 }' }), workers, ...seedFor(workers, 22) })
      await w.routed()
      const direct = p99(await latencies(v1.url, 200, 4))
      const main = p99(await latencies(w.urls.main, 200, 4))
      t.diagnostic(`p99 direct to v1 ${direct.toFixed(1)} ms, through ramp with a 2 s mirror ${main.toFixed(1)} ms`)
      assert.ok(main < 200, `main p99 ${main.toFixed(1)} ms (direct ${direct.toFixed(1)} ms)`)
      await eventually('copies to leave for v2', () => w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), (sent) => sent >= 100)
      assert.ok(v2.traffic().length > 0)
    })

    test('a mirrored copy carries x-ramp-mirror: 1, the same method, path, headers and body; the main request does not', async (t) => {
      const { w, v1, v2 } = await mirrored(t, 'mirror: { percentage: 100 }', 21)
      const body = 'hello mirror, {"qty": 2}'
      const r = await w.send('/orders?id=7', { method: 'POST', headers: { 'content-type': 'application/json', 'x-custom': 'abc' }, body })
      assert.equal(r.status, 200)
      assert.equal(r.version, 'v1')
      await waitFor('the copy to reach v2', () => v2.arrived().length === 1)
      const copy = v2.arrived()[0]
      const original = v1.arrived()[0]
      assert.ok(copy !== undefined && original !== undefined)
      assert.equal(copy.method, 'POST')
      assert.equal(copy.url, '/orders?id=7')
      assert.equal(copy.headers['x-ramp-mirror'], '1')
      assert.equal(copy.headers['x-custom'], 'abc')
      assert.equal(copy.headers['content-type'], 'application/json')
      assert.equal(copy.headers['x-ramp-version'], 'v2', 'the copy names the version it went to')
      assert.equal(copy.headers['content-length'], String(Buffer.byteLength(body)))
      assert.equal(copy.body.toString(), body)
      assert.equal(original.headers['x-ramp-mirror'], undefined, 'only the copy is marked')
      assert.equal(original.body.toString(), body)

      // A chunked body is copied once it has all arrived, with its length now known.
      const parts = [Buffer.from('part one;'), Buffer.from('part two;'), Buffer.from('part three')]
      const c = await w.send('/upload', { method: 'POST', body: chunks(...parts) })
      assert.equal(c.version, 'v1')
      await waitFor('the chunked copy to reach v2', () => v2.arrived().length === 2)
      assert.equal(v2.arrived()[1]?.body.toString(), Buffer.concat(parts).toString())
      assert.equal(v2.arrived()[1]?.headers['transfer-encoding'], undefined)
      assert.equal(v1.arrived()[1]?.body.toString(), Buffer.concat(parts).toString())

      await waitFor('both copies to be counted on the mirror listener', async () => await w.metric('ramp_requests_total', { listener: 'mirror', version: 'v2', code: '2xx' }) === 2)
      assert.equal(await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 2)
      assert.equal(await w.metric('ramp_requests_total', { listener: 'main', version: 'v2' }), 0, 'a copy is not a main-listener request')
    })

    test('a request the canary serves itself is not copied to it', async (t) => {
      const { w, v2 } = await mirrored(t, 'mirror: { percentage: 100 }', 21)
      assert.equal((await w.send('/', { headers: { 'x-ramp-version': 'always' } })).version, 'v2')
      assert.equal((await w.send('/marker')).version, 'v1')
      await waitFor('the marker copy', () => v2.arrived().some((s) => s.url === '/marker'))
      assert.deepEqual(v2.arrived().map((s) => [s.url, s.headers['x-ramp-mirror']]), [['/', undefined], ['/marker', '1']])
      assert.equal(await w.metricReaches('ramp_mirror_requests_total', { result: 'sent' }, 1), 1)
    })

    test('a body over limits.mirrorBodyBytes is not copied and is counted, while the main request gets all of it', async (t) => {
      const { w, v1, v2 } = await mirrored(t, 'mirror: { percentage: 100 }\nlimits: { mirrorBodyBytes: 1024 }', 21)
      const big = Buffer.alloc(4096, 0x62)
      assert.equal((await w.send('/big', { method: 'POST', body: big })).status, 200)
      const quarters = [0, 1, 2, 3].map((i) => big.subarray(i * 1024, (i + 1) * 1024))
      assert.equal((await w.send('/big-chunked', { method: 'POST', body: chunks(...quarters) })).status, 200)
      const atCap = Buffer.alloc(1024, 0x63)
      assert.equal((await w.send('/at-cap', { method: 'POST', body: atCap })).status, 200)

      await waitFor('the copy at the cap', () => v2.arrived().some((s) => s.url === '/at-cap'))
      assert.deepEqual(v2.arrived().map((s) => s.url), ['/at-cap'], 'only the body within the cap was copied')
      assert.ok(v2.arrived()[0]?.body.equals(atCap))
      assert.deepEqual(v1.arrived().map((s) => [s.url, s.body.length]), [['/big', 4096], ['/big-chunked', 4096], ['/at-cap', 1024]])
      assert.ok(v1.arrived()[0]?.body.equals(big) && v1.arrived()[1]?.body.equals(big), 'the main requests got their bodies byte for byte')
      assert.equal(await w.metricReaches('ramp_mirror_requests_total', { version: 'v2', result: 'body_too_large' }, 2), 2)
      assert.equal(await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 1)
    })

    test('with limits.mirrorsInFlight: 2 and a mirror that does not answer, the excess copies are shed, not queued', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const held = latch()
      const v2 = await recorder(t, answerAs('v2', { until: held.done }))
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: 'mirror: { percentage: 100 }\nlimits: { mirrorsInFlight: 2 }' }), workers, ...seedFor(workers, 23) })
      await w.routed()
      // One connection, so one process holds every copy in flight: the limit is each process's own.
      const one = w.connection()
      for (let i = 0; i < 10; i++) assert.deepEqual(await one.versions(1, {}, `/n${i}`), ['v1'], `request ${i} answered while copies hang`)
      await waitFor('two copies to arrive', () => v2.arrived().length === 2)
      assert.deepEqual(v2.arrived().map((s) => s.url), ['/n0', '/n1'])
      assert.equal(await w.metricReaches('ramp_mirror_requests_total', { version: 'v2', result: 'shed' }, 8), 8)
      assert.equal(await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 2)

      held.open()
      await waitFor('the held copies to finish', async () => await w.metric('ramp_requests_total', { listener: 'mirror', version: 'v2', code: '2xx' }) === 2)
      assert.deepEqual(await one.versions(1, {}, '/later'), ['v1'])
      await waitFor('a copy once there is room again', () => v2.arrived().some((s) => s.url === '/later'))
      assert.equal(await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'shed' }), 8)
    })

    test('limits.mirrorsInFlight also holds for requests whose bodies arrive at the same time', { skip: workers > 1 && 'five connections at once go to either worker, and the limit is each process\'s own' }, async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const held = latch()
      const v2 = await recorder(t, answerAs('v2', { until: held.done }))
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: 'mirror: { percentage: 100 }\nlimits: { mirrorsInFlight: 2 }' }), seed: 25 })
      await w.routed()
      t.after(() => held.open())
      const bodies = latch()
      // Every body sends its first chunk, then waits until all five requests have been decided.
      async function* slowBody(): AsyncIterable<Buffer> {
        yield Buffer.from('first;')
        await bodies.done
        yield Buffer.from('last')
      }
      const posts = Array.from({ length: 5 }, (_, i) => w.send(`/p${i}`, { method: 'POST', body: slowBody() }))
      await waitFor('all five requests to be decided', async () => await w.metric('ramp_routing_decisions_total') === 5)
      bodies.open()
      for (const r of await Promise.all(posts)) assert.equal(r.status, 200)
      await waitFor('every copy to be accounted for', async () => await w.metric('ramp_mirror_requests_total') === 5)
      assert.equal(await w.metric('ramp_mirror_requests_total', { result: 'sent' }), 2)
      assert.equal(await w.metric('ramp_mirror_requests_total', { result: 'shed' }), 3)
    })

    test('mirror percentage and match: a share of matching requests is copied within binomial bounds, others never', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const v2 = await recorder(t, answerAs('v2'))
      const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: 'mirror: { percentage: 30, match: [{ pathPrefix: /shadow }] }' }), workers, ...seedFor(workers, 24) })
      await w.routed()
      assert.deepEqual(await w.count(100, { connections: 8, path: '/other' }), { v1: 100 })
      assert.deepEqual(await w.count(600, { connections: 8, path: '/shadow/x' }), { v1: 600 })
      // Every request has its decision counted, so the copies' count is whole too.
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', {}, 700), 700)
      const sent = await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' })
      const { low, high } = binomialBounds(600, 0.3)
      assert.ok(sent >= low && sent <= high, `${sent} of 600 copied at 30%, expected ${low}..${high}`)
      await waitFor('every copy to arrive', () => v2.arrived().length === sent)
      assert.ok(v2.arrived().every((s) => s.url === '/shadow/x'))
    })

    test('a setMirrorRoute step at weight 0 copies matching requests until a name-only step removes it', async (t) => {
      const v1 = await backend(t, { name: 'v1' })
      const v2 = await backend(t, { name: 'v2' })
      const w = await world(t, {
        config: release({
          v1: v1.url, v2: v2.url, strategy: `canary:
  steps:
    - setMirrorRoute: { name: shadow, percentage: 100, match: [{ headerName: x-shadow, headerValue: { exact: "1" } }] }
    - pause: {}
    - setMirrorRoute: { name: shadow }
    - pause: {}`,
        }),
        workers,
      })
      assert.equal((await w.eventually('Paused', 'CanaryPauseStep')).step, 1)
      await w.routed()
      const before = v2.served()
      for (let i = 0; i < 10; i++) assert.equal((await w.send('/', { headers: { 'x-shadow': '1' } })).version, 'v1')
      for (let i = 0; i < 10; i++) assert.equal((await w.send()).version, 'v1')
      await waitFor('the copies', async () => await w.metric('ramp_requests_total', { listener: 'mirror', version: 'v2' }) === 10)
      assert.equal(await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 10, 'only the matching requests')
      assert.ok(v2.served() - before >= 10)

      assert.equal((await w.admin.promote()).status, 200)
      const next = await w.until('the next pause', (v) => v.step === 3, 5000)
      assert.equal(next.routing.mirror, null)
      for (let i = 0; i < 10; i++) await w.send('/', { headers: { 'x-shadow': '1' } })
      assert.equal(await w.metricReaches('ramp_routing_decisions_total', {}, 30), 30, 'every request counted')
      assert.equal(await w.metric('ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 10, 'no copy after the removal')
    })
  })
}
