import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Pool } from 'undici'
import type { Ramp } from '../../../src/ramp.js'
import { given } from '../given.js'
import { binomialBounds, seeded } from '../../support/prng.js'
import { backend, canaryRouted, countVersions, rampWith, waitFor } from '../../support/ramp.js'
import { metric, recorder, send, split, type Recorder } from './support.js'

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

/** v1 and v2 both record what they are sent; weight 0, so v2 only ever sees copies. */
async function mirrored(t: TestContext, extra: string): Promise<{ ramp: Ramp; v1: Recorder; v2: Recorder }> {
  const [v1, v2] = [await recorder(t, { name: 'v1' }), await recorder(t, { name: 'v2' })]
  const ramp = await rampWith(t, split(v1.url, v2.url, 0, extra), { random: seeded(21) })
  await canaryRouted(ramp)
  return { ramp, v1, v2 }
}

const chunks = (...parts: Buffer[]): Iterable<Buffer> => parts

test('the client never waits for the mirror: with a v2 that takes 2 s, the main p99 stays near the direct v1 latency', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await recorder(t, { name: 'v2', delayMs: 2000 })
  const ramp = await rampWith(t, split(v1.url, v2.url, 0, 'mirror: { percentage: 100 }'), { random: seeded(22) })
  await canaryRouted(ramp)
  const direct = p99(await latencies(v1.url, 200, 4))
  const main = p99(await latencies(ramp.urls.main, 200, 4))
  t.diagnostic(`p99 direct to v1 ${direct.toFixed(1)} ms, through ramp with a 2 s mirror ${main.toFixed(1)} ms`)
  assert.ok(main < 200, `main p99 ${main.toFixed(1)} ms (direct ${direct.toFixed(1)} ms)`)
  assert.ok(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' }) >= 100, 'copies did leave for v2')
  assert.ok(v2.seen.length > 0)
})

test('a mirrored copy carries x-ramp-mirror: 1, the same method, path, headers and body; the main request does not', async (t) => {
  const { ramp, v1, v2 } = await mirrored(t, 'mirror: { percentage: 100 }')
  const body = 'hello mirror, {"qty": 2}'
  const r = await send(ramp.urls.main, '/orders?id=7', { method: 'POST', headers: { 'content-type': 'application/json', 'x-custom': 'abc' }, body })
  assert.equal(r.status, 200)
  assert.equal(r.version, 'v1')
  await waitFor('the copy to reach v2', () => v2.seen.length === 1)
  const copy = v2.seen[0]
  const original = v1.seen[0]
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
  const c = await send(ramp.urls.main, '/upload', { method: 'POST', body: chunks(...parts) })
  assert.equal(c.version, 'v1')
  await waitFor('the chunked copy to reach v2', () => v2.seen.length === 2)
  assert.equal(v2.seen[1]?.body.toString(), Buffer.concat(parts).toString())
  assert.equal(v2.seen[1]?.headers['transfer-encoding'], undefined)
  assert.equal(v1.seen[1]?.body.toString(), Buffer.concat(parts).toString())

  await waitFor('both copies to be counted on the mirror listener', async () => await metric(ramp, 'ramp_requests_total', { listener: 'mirror', version: 'v2', code: '2xx' }) === 2)
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 2)
  assert.equal(await metric(ramp, 'ramp_requests_total', { listener: 'main', version: 'v2' }), 0, 'a copy is not a main-listener request')
})

test('a request the canary serves itself is not copied to it', async (t) => {
  const { ramp, v2 } = await mirrored(t, 'mirror: { percentage: 100 }')
  assert.equal((await send(ramp.urls.main, '/', { headers: { 'x-ramp-version': 'always' } })).version, 'v2')
  assert.equal((await send(ramp.urls.main, '/marker')).version, 'v1')
  await waitFor('the marker copy', () => v2.seen.some((s) => s.url === '/marker'))
  assert.deepEqual(v2.seen.map((s) => [s.url, s.headers['x-ramp-mirror']]), [['/', undefined], ['/marker', '1']])
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { result: 'sent' }), 1)
})

test('a body over limits.mirrorBodyBytes is not copied and is counted, while the main request gets all of it', async (t) => {
  const { ramp, v1, v2 } = await mirrored(t, 'mirror: { percentage: 100 }\nlimits: { mirrorBodyBytes: 1024 }')
  const big = Buffer.alloc(4096, 0x62)
  assert.equal((await send(ramp.urls.main, '/big', { method: 'POST', body: big })).status, 200)
  const quarters = [0, 1, 2, 3].map((i) => big.subarray(i * 1024, (i + 1) * 1024))
  assert.equal((await send(ramp.urls.main, '/big-chunked', { method: 'POST', body: chunks(...quarters) })).status, 200)
  const atCap = Buffer.alloc(1024, 0x63)
  assert.equal((await send(ramp.urls.main, '/at-cap', { method: 'POST', body: atCap })).status, 200)

  await waitFor('the copy at the cap', () => v2.seen.some((s) => s.url === '/at-cap'))
  assert.deepEqual(v2.seen.map((s) => s.url), ['/at-cap'], 'only the body within the cap was copied')
  assert.ok(v2.seen[0]?.body.equals(atCap))
  assert.deepEqual(v1.seen.map((s) => [s.url, s.body.length]), [['/big', 4096], ['/big-chunked', 4096], ['/at-cap', 1024]])
  assert.ok(v1.seen[0]?.body.equals(big) && v1.seen[1]?.body.equals(big), 'the main requests got their bodies byte for byte')
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'body_too_large' }), 2)
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 1)
})

test('with limits.mirrorsInFlight: 2 and a mirror that does not answer, the excess copies are shed, not queued', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await recorder(t, { name: 'v2', hold: true })
  const ramp = await rampWith(t, split(v1.url, v2.url, 0, 'mirror: { percentage: 100 }\nlimits: { mirrorsInFlight: 2 }'), { random: seeded(23) })
  await canaryRouted(ramp)
  for (let i = 0; i < 10; i++) assert.equal((await send(ramp.urls.main, `/n${i}`)).version, 'v1', `request ${i} answered while copies hang`)
  await waitFor('two copies to arrive', () => v2.seen.length === 2)
  assert.deepEqual(v2.seen.map((s) => s.url), ['/n0', '/n1'])
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 2)
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'shed' }), 8)

  v2.release()
  await waitFor('the held copies to finish', async () => await metric(ramp, 'ramp_requests_total', { listener: 'mirror', version: 'v2', code: '2xx' }) === 2)
  assert.equal((await send(ramp.urls.main, '/later')).version, 'v1')
  await waitFor('a copy once there is room again', () => v2.seen.some((s) => s.url === '/later'))
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'shed' }), 8)
})

test('limits.mirrorsInFlight also holds for requests whose bodies arrive at the same time', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await recorder(t, { name: 'v2', hold: true })
  const ramp = await rampWith(t, split(v1.url, v2.url, 0, 'mirror: { percentage: 100 }\nlimits: { mirrorsInFlight: 2 }'), { random: seeded(25) })
  await canaryRouted(ramp)
  t.after(() => v2.release())
  let open = (): void => undefined
  const gate = new Promise<void>((resolve) => { open = resolve })
  // Every body sends its first chunk, then waits until all five requests have been decided.
  async function* slowBody(): AsyncIterable<Buffer> {
    yield Buffer.from('first;')
    await gate
    yield Buffer.from('last')
  }
  const posts = Array.from({ length: 5 }, (_, i) => send(ramp.urls.main, `/p${i}`, { method: 'POST', body: slowBody() }))
  await waitFor('all five requests to be decided', async () => await metric(ramp, 'ramp_routing_decisions_total') === 5)
  open()
  for (const r of await Promise.all(posts)) assert.equal(r.status, 200)
  await waitFor('every copy to be accounted for', async () => await metric(ramp, 'ramp_mirror_requests_total') === 5)
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { result: 'sent' }), 2)
  assert.equal(await metric(ramp, 'ramp_mirror_requests_total', { result: 'shed' }), 3)
})

test('mirror percentage and match: a seeded share of matching requests is copied, others never', async (t) => {
  const v1 = await backend(t, { name: 'v1' })
  const v2 = await recorder(t, { name: 'v2' })
  const ramp = await rampWith(t, split(v1.url, v2.url, 0, 'mirror: { percentage: 30, match: [{ pathPrefix: /shadow }] }'), { random: seeded(24) })
  await canaryRouted(ramp)
  assert.deepEqual(await countVersions(ramp.urls.main, 100, 8, '/other'), { v1: 100 })
  assert.deepEqual(await countVersions(ramp.urls.main, 600, 8, '/shadow/x'), { v1: 600 })
  const sent = await metric(ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' })
  const { low, high } = binomialBounds(600, 0.3)
  assert.ok(sent >= low && sent <= high, `${sent} of 600 copied at 30%, expected ${low}..${high}`)
  await waitFor('every copy to arrive', () => v2.seen.length === sent)
  assert.ok(v2.seen.every((s) => s.url === '/shadow/x'))
})


test('a setMirrorRoute step at weight 0 copies matching requests until a name-only step removes it', async (t) => {
  const w = await given(t, {
    strategy: `canary:
  steps:
    - setMirrorRoute: { name: shadow, percentage: 100, match: [{ headerName: x-shadow, headerValue: { exact: "1" } }] }
    - pause: {}
    - setMirrorRoute: { name: shadow }
    - pause: {}`,
  })
  await w.then.eventually('Paused', 'CanaryPauseStep')
  assert.equal(w.ramp.driver.state.stepIndex, 1)
  await canaryRouted(w.ramp)
  const before = w.backends.v2.served()
  for (let i = 0; i < 10; i++) assert.equal((await send(w.ramp.urls.main, '/', { headers: { 'x-shadow': '1' } })).version, 'v1')
  for (let i = 0; i < 10; i++) assert.equal((await send(w.ramp.urls.main)).version, 'v1')
  await waitFor('the copies', async () => await metric(w.ramp, 'ramp_requests_total', { listener: 'mirror', version: 'v2' }) === 10)
  assert.equal(await metric(w.ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 10, 'only the matching requests')
  assert.ok(w.backends.v2.served() - before >= 10)

  assert.equal((await w.when.promote()).status, 200)
  await waitFor('the next pause', () => w.ramp.driver.state.stepIndex === 3)
  assert.equal(w.ramp.tables.current.mirror, null)
  for (let i = 0; i < 10; i++) await send(w.ramp.urls.main, '/', { headers: { 'x-shadow': '1' } })
  assert.equal(await metric(w.ramp, 'ramp_mirror_requests_total', { version: 'v2', result: 'sent' }), 10, 'no copy after the removal')
})
