import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { backend } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { recorder, resetting } from '../../support/world/recorder.js'
import { sendUntil } from '../../support/world/traffic.js'
import { world } from '../../support/world/world.js'

test('a POST is not retried by default: the client gets the 502 of the backend that reset', async (t) => {
  const rude = await recorder(t, resetting)
  const good = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [good.url, rude.url] }) })
  const answers = await sendUntil(() => rude.traffic().length === 1, () => w.send('/', { method: 'POST', body: 'order=1' }))
  const failed = answers.filter((a) => a.status !== 200)
  assert.deepEqual(failed.map((a) => [a.status, a.error]), [[502, 'RAMP_ERR_UPSTREAM_RESET']])
  assert.equal(good.served(), answers.length - 1, 'the failed POST never reached the good backend')
  assert.equal(await w.metric('ramp_retries_total'), 0)
})

test('with nonIdempotent and POST in methods, a POST without a body is retried', async (t) => {
  const rude = await recorder(t, resetting)
  const good = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [good.url, rude.url], more: 'retry: { methods: [GET, POST], nonIdempotent: true }' }) })
  const answers = await sendUntil(() => rude.traffic().length >= 2, () => w.send('/', { method: 'POST' }))
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200))
  assert.equal(await w.metric('ramp_retries_total', { reason: 'reset', result: 'retried' }), rude.traffic().length)
})

test('a request with a body is not retried, whatever its method: a GET with content-length, a chunked PUT, a POST under nonIdempotent', async (t) => {
  const rude = await recorder(t, resetting)
  const good = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [good.url, rude.url], more: 'retry: { methods: [GET, PUT, POST], nonIdempotent: true }' }) })
  const requests = [
    { method: 'GET' as const, body: () => 'hello', headers: { 'content-length': '5' } },
    { method: 'PUT' as const, body: () => Readable.from(['chunk']) },
    { method: 'POST' as const, body: () => 'order=1' },
  ]
  for (const { method, body, headers } of requests) {
    const before = rude.traffic().length
    const answers = await sendUntil(() => rude.traffic().length === before + 1, () => w.send('/', { method, body: body(), ...(headers === undefined ? {} : { headers }) }))
    assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => a.status), [502], `${method}: the request that met the reset got its 502`)
  }
  assert.equal(await w.metric('ramp_retries_total'), 0)
})

test('retry.attempts caps the tries: with three failing backends, attempts 2 reach two of them, attempts 3 all three', async (t) => {
  const rude = [await recorder(t, resetting), await recorder(t, resetting), await recorder(t, resetting)]
  const seen = (): number => rude.reduce((n, r) => n + r.traffic().length, 0)
  const two = await world(t, { config: release({ v1: rude.map((r) => r.url), more: 'outlier: { enabled: false }' }) })
  for (let i = 0; i < 5; i++) {
    const before = seen()
    assert.equal((await two.send()).status, 502)
    assert.equal(seen() - before, 2)
  }
  const three = await world(t, { config: release({ v1: rude.map((r) => r.url), more: 'retry: { attempts: 3 }\noutlier: { enabled: false }' }) })
  for (let i = 0; i < 3; i++) {
    const before = seen()
    assert.equal((await three.send()).status, 502)
    assert.equal(seen() - before, 3)
  }
  assert.equal(await three.metric('ramp_retries_total', { result: 'retried' }), 6)
})
