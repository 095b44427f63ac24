import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { backend, rampWith } from '../../support/ramp.js'
import { resetting, retriesCounted, send, sendUntil, v1Over } from './support.js'

test('a POST is not retried by default: the client gets the 502 of the backend that reset', async (t) => {
  const rude = await resetting(t)
  const good = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, v1Over([good.url, rude.url]))
  const answers = await sendUntil(() => rude.seen.length === 1, () => send(ramp, { method: 'POST', body: 'order=1' }))
  const failed = answers.filter((a) => a.status !== 200)
  assert.deepEqual(failed.map((a) => [a.status, a.error]), [[502, 'RAMP_ERR_UPSTREAM_RESET']])
  assert.equal(good.served(), answers.length - 1, 'the failed POST never reached the good backend')
  assert.equal(await retriesCounted(ramp), 0)
})

test('with nonIdempotent and POST in methods, a POST without a body is retried', async (t) => {
  const rude = await resetting(t)
  const good = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, v1Over([good.url, rude.url], 'retry: { methods: [GET, POST], nonIdempotent: true }\n'))
  const answers = await sendUntil(() => rude.seen.length >= 2, () => send(ramp, { method: 'POST' }))
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200))
  assert.equal(await retriesCounted(ramp, { reason: 'reset', result: 'retried' }), rude.seen.length)
})

test('a request with a body is not retried, whatever its method: a GET with content-length, a chunked PUT, a POST under nonIdempotent', async (t) => {
  const rude = await resetting(t)
  const good = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, v1Over([good.url, rude.url], 'retry: { methods: [GET, PUT, POST], nonIdempotent: true }\n'))
  const requests = [
    { method: 'GET' as const, body: () => 'hello', headers: { 'content-length': '5' } },
    { method: 'PUT' as const, body: () => Readable.from(['chunk']) },
    { method: 'POST' as const, body: () => 'order=1' },
  ]
  for (const { method, body, headers } of requests) {
    const before = rude.seen.length
    const answers = await sendUntil(() => rude.seen.length === before + 1, () => send(ramp, { method, body: body(), headers }))
    assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => a.status), [502], `${method}: the request that met the reset got its 502`)
  }
  assert.equal(await retriesCounted(ramp), 0)
})

test('retry.attempts caps the tries: with three failing backends, attempts 2 reach two of them, attempts 3 all three', async (t) => {
  const rude = [await resetting(t), await resetting(t), await resetting(t)]
  const seen = () => rude.reduce((n, r) => n + r.seen.length, 0)
  const two = await rampWith(t, v1Over(rude.map((r) => r.url), 'outlier: { enabled: false }\n'))
  for (let i = 0; i < 5; i++) {
    const before = seen()
    assert.equal((await send(two)).status, 502)
    assert.equal(seen() - before, 2)
  }
  const three = await rampWith(t, v1Over(rude.map((r) => r.url), 'retry: { attempts: 3 }\noutlier: { enabled: false }\n'))
  for (let i = 0; i < 3; i++) {
    const before = seen()
    assert.equal((await send(three)).status, 502)
    assert.equal(seen() - before, 3)
  }
  assert.equal(await retriesCounted(three, { result: 'retried' }), 6)
})
