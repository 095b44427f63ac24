import assert from 'node:assert/strict'
import { test } from 'node:test'
import { echoClient, grpc, grpcBackend, say, sayMany, targetOf, type Msg } from '../../support/grpc.js'
import { binomialBounds } from '../../support/prng.js'
import { release } from '../../support/world/config.js'
import { eventually } from '../../support/world/eventually.js'
import { world } from '../../support/world/world.js'

// gRPC clients speak HTTP/2 with prior knowledge: the listener is h2c.
const h2c = 'listen: { http2: true }'

async function twoVersions(t: Parameters<typeof grpcBackend>[0]): Promise<[Awaited<ReturnType<typeof grpcBackend>>, Awaited<ReturnType<typeof grpcBackend>>]> {
  return [await grpcBackend(t, { name: 'v1' }), await grpcBackend(t, { name: 'v2' })]
}

test('unary calls at weight 20: 1 000 calls put v2 within 4 binomial standard deviations of 200, each answered', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: h2c }), seed: 20 })
  await w.routed()
  const counts = await sayMany(echoClient(t, targetOf(w.urls.main)), 1000)
  const { low, high } = binomialBounds(1000, 0.2)
  const onV2 = counts.v2 ?? 0
  assert.equal(onV2 + (counts.v1 ?? 0), 1000, JSON.stringify(counts))
  assert.ok(onV2 >= low && onV2 <= high, `v2 got ${onV2}, expected ${low}..${high}`)
  assert.equal(v2.calls(), onV2, 'the canary saw exactly the calls the client counted on it')
})

test('balance: exact puts exactly 100 of 500 unary calls on v2 at weight 20', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 20, more: `${h2c}\nbalance: exact` }) })
  await w.routed()
  assert.deepEqual(await sayMany(echoClient(t, targetOf(w.urls.main)), 500), { v1: 400, v2: 100 })
})

test('metadata is headers: x-ramp-version pins calls to the canary, and the backend gets the caller\'s metadata', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: h2c }) })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  assert.deepEqual(await sayMany(client, 100, { 'x-ramp-version': 'v2', 'x-tenant': 'acme' }), { v2: 100 })
  assert.deepEqual(await sayMany(client, 20), { v1: 20 })
  const md = v2.metadata[0]
  assert.deepEqual(md?.get('x-tenant'), ['acme'])
  assert.deepEqual(md?.get('x-ramp-version'), ['v2'], 'the serving version is named upstream')
})

test('a route on the method path (/demo.Echo/Chat) sends that method to the canary; other methods keep the weight', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: `${h2c}\nroutes: [ { name: chat, match: [ { pathPrefix: /demo.Echo/Chat } ], version: canary } ]` }) })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  const chat = client.Chat(new grpc.Metadata())
  const got: Msg[] = []
  chat.on('data', (m: Msg) => got.push(m))
  const ended = new Promise((resolve) => chat.on('status', resolve))
  for (const text of ['a', 'b', 'c']) chat.write({ text })
  chat.end()
  await ended
  assert.deepEqual(got.map((m) => `${m.version}:${m.text}`), ['v2:a', 'v2:b', 'v2:c'])
  assert.deepEqual(await sayMany(client, 20), { v1: 20 })
})

test('server, client and bidirectional streams go through whole, each on one backend, with the backend\'s trailing metadata', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: h2c }), seed: 5 })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  for (let round = 0; round < 10; round++) {
    const watch = client.Watch({ text: '25' }, new grpc.Metadata())
    const watched: Msg[] = []
    watch.on('data', (m: Msg) => watched.push(m))
    const status = await new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve))
    assert.equal(status.code, grpc.status.OK)
    assert.equal(watched.length, 25)
    const versions = new Set(watched.map((m) => m.version))
    assert.equal(versions.size, 1, 'one server stream, one backend')
    assert.deepEqual(status.metadata.get('x-served-by'), [...versions], 'the backend\'s trailers reached the client')

    let trailers: grpc.Metadata | null = null
    const collected = await new Promise<Msg>((resolve, reject) => {
      const up = client.Collect(new grpc.Metadata(), {}, (err, res) => (err === null && res !== undefined ? resolve(res) : reject(err ?? new Error('no answer'))))
      up.on('status', (s: grpc.StatusObject) => { trailers = s.metadata })
      for (let i = 0; i < 40; i++) up.write({ text: String(i) })
      up.end()
    })
    assert.equal(collected.text, '40', 'every message of a client stream reached one backend')
    await eventually('the trailing metadata', () => Promise.resolve(trailers), (m) => m !== null, 1000)
    assert.deepEqual((trailers as grpc.Metadata | null)?.get('x-served-by'), [collected.version])

    const chat = client.Chat(new grpc.Metadata())
    const echoed: Msg[] = []
    chat.on('data', (m: Msg) => {
      echoed.push(m)
      // Each message is sent only once the previous one came back: both directions stay open together.
      if (echoed.length < 20) chat.write({ text: String(echoed.length) })
      else chat.end()
    })
    const chatEnd = new Promise<grpc.StatusObject>((resolve) => chat.on('status', resolve))
    chat.write({ text: '0' })
    assert.equal((await chatEnd).code, grpc.status.OK)
    assert.deepEqual(echoed.map((m) => m.text), Array.from({ length: 20 }, (_, i) => String(i)))
    assert.equal(new Set(echoed.map((m) => m.version)).size, 1)
  }
  assert.ok(v1.calls() > 0 && v2.calls() > 0, 'both versions took streams')
})

test('stickiness by a metadata key: every call of a key lands on one version', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: `${h2c}\nstickiness: { header: x-user }` }) })
  await w.routed()
  const client = echoClient(t, targetOf(w.urls.main))
  const seen = new Set<string>()
  for (let user = 0; user < 20; user++) {
    const counts = await sayMany(client, 10, { 'x-user': `user-${user}` }, 5)
    assert.equal(Object.keys(counts).length, 1, `user-${user}: ${JSON.stringify(counts)}`)
    seen.add(Object.keys(counts)[0] as string)
  }
  assert.deepEqual([...seen].sort(), ['v1', 'v2'], 'at 50% both versions have users')
})

test('mirroring copies each call stable serves to the canary; the client gets stable\'s answer only', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: `${h2c}\nmirror: { percentage: 100 }` }) })
  await w.routed()
  assert.deepEqual(await sayMany(echoClient(t, targetOf(w.urls.main)), 50, {}, 5), { v1: 50 })
  await eventually('the copies', () => Promise.resolve(v2.calls()), (n) => n === 50, 5000)
  assert.deepEqual(v2.metadata[0]?.get('x-ramp-mirror'), ['1'])
  assert.equal(v1.calls(), 50)
})

test('a client that cancels a server stream cancels it at the backend', async (t) => {
  const v1 = await grpcBackend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: v1.url, more: h2c }) })
  const client = echoClient(t, targetOf(w.urls.main))
  const watch = client.Watch({ text: 'forever' }, new grpc.Metadata())
  await new Promise((resolve) => watch.once('data', resolve))
  const status = new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve))
  watch.on('error', () => undefined)
  watch.cancel()
  assert.equal((await status).code, grpc.status.CANCELLED)
  await eventually('the backend to see the cancellation', () => Promise.resolve(v1.cancelled()), (n) => n === 1, 5000)
  const answered = await say(client, 'after')
  assert.equal(answered.msg?.version, 'v1', 'the session goes on serving calls')
})

test('blue/green: calls go to the active version, the preview listener reaches the other, and a flip moves every call', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 0, more: `${h2c}\nmode: blueGreen\npreview: { http2: true }` }) })
  await w.routed()
  const main = echoClient(t, targetOf(w.urls.main))
  assert.deepEqual(await sayMany(main, 100), { v1: 100 })
  assert.deepEqual(await sayMany(echoClient(t, targetOf(w.urls.preview as string)), 50), { v2: 50 })
  assert.equal((await w.admin.call('PUT', '/api/v1/weight', { weight: 100 })).status, 200)
  assert.deepEqual(await sayMany(main, 100), { v2: 100 }, 'every call after the flip on the new version, on the same connection')
})

test('with workers: 2, an h2c listener on the workers\' shared socket serves calls at the weight', async (t) => {
  const [v1, v2] = await twoVersions(t)
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, weight: 50, more: h2c }), workers: 2 })
  await w.routed()
  const counts = await sayMany(echoClient(t, targetOf(w.urls.main)), 400)
  const { low, high } = binomialBounds(400, 0.5)
  assert.equal((counts.v1 ?? 0) + (counts.v2 ?? 0), 400, JSON.stringify(counts))
  assert.ok((counts.v2 ?? 0) >= low && (counts.v2 ?? 0) <= high, JSON.stringify(counts))
})
