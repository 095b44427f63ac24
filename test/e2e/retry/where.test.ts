import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { backend, backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { waitFor } from '../../support/world/eventually.js'
import { refusingUrl } from '../../support/world/ports.js'
import { answering, recorder, resetting } from '../../support/world/recorder.js'
import { sendUntil } from '../../support/world/traffic.js'
import { world, type World } from '../../support/world/world.js'

/** Every backend of every routed version has no request in flight (the counts moved with each retry): read in this process, as no listener shows them. */
function nothingInFlight(w: World): boolean {
  const { stable, canary } = w.ramp.tables.current
  return [...stable.backends, ...(canary?.backends ?? [])].every((b) => b.inflight === 0)
}

test('a GET that meets a reset is served by the other backend of its version, counted once as retried', async (t) => {
  const rude = await recorder(t, resetting)
  const good = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [good.url, rude.url] }) })
  const answers = await sendUntil(() => rude.traffic().length === 1, () => w.send())
  assert.deepEqual(answers.map((a) => [a.status, a.version]), answers.map(() => [200, 'v1']))
  assert.equal(good.served(), answers.length, 'the good backend answered every request, the retried one included')
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'reset', result: 'retried' }), 1)
  assert.equal(await w.metric('ramp_retries_total'), 1)
  await waitFor('in-flight counts back to 0 on both backends', () => nothingInFlight(w))
})

test('a GET to a backend where nothing listens is retried on the other backend', async (t) => {
  const good = await backend(t, { name: 'v1' })
  const w = await world(t, { config: release({ v1: [await refusingUrl(), good.url] }) })
  const answers = await Promise.all([0, 1, 2, 3].map(async () => w.send()))
  for (let i = 0; i < 4; i++) answers.push(await w.send())
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200))
  const retried = await w.metric('ramp_retries_total', { version: 'v1', reason: 'connect', result: 'retried' })
  assert.ok(retried >= 1, 'some requests went to the dead backend first')
  assert.equal(good.served(), answers.length)
  await waitFor('in-flight counts back to 0', () => nothingInFlight(w))
})

test('a status in retry.onStatus is retried on the other backend; a status not listed is returned', async (t) => {
  const unavailable = await recorder(t, answering(503))
  const broken = await recorder(t, answering(500))
  const listed = await world(t, { config: release({ v1: [(await backend(t, { name: 'v1' })).url, unavailable.url] }) })
  const fine = await sendUntil(() => unavailable.traffic().length >= 2, () => listed.send())
  assert.deepEqual(fine.map((a) => a.status), fine.map(() => 200))
  assert.equal(await listed.metric('ramp_retries_total', { reason: 'status', result: 'retried' }), unavailable.traffic().length)

  const unlisted = await world(t, { config: release({ v1: [(await backend(t, { name: 'v1' })).url, broken.url] }) })
  const answers = await sendUntil(() => broken.traffic().length >= 2, () => unlisted.send())
  assert.equal(answers.filter((a) => a.status === 500).length, broken.traffic().length, 'every 500 reached the client')
  assert.equal(await unlisted.metric('ramp_retries_total'), 0)
})

test('a retry stays in its version: v1 failing and v2 healthy, requests sent to v1 by the override header never reach v2', async (t) => {
  const [r1, r2] = [await recorder(t, resetting), await recorder(t, resetting)]
  const v2 = await recorder(t, (_req, res) => res.end('v2'))
  const w = await world(t, { config: release({ v1: [r1.url, r2.url], v2: v2.url, weight: 50, more: 'outlier: { enabled: false }' }) })
  await w.routed()
  for (let i = 0; i < 4; i++) {
    const a = await w.send('/', { headers: { 'x-ramp-version': 'v1' } })
    assert.equal(a.status, 502)
    assert.equal(a.error, 'RAMP_ERR_UPSTREAM_RESET')
  }
  assert.deepEqual([r1.traffic().length, r2.traffic().length], [4, 4], 'each request tried both v1 backends, one after the other')
  assert.deepEqual(v2.traffic(), [])
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'reset', result: 'retried' }), 4)
  assert.equal(await w.metric('ramp_retries_total', { version: 'v2' }), 0)
})

test('with no other backend in the version the first failure is returned, counted as no_other_backend', async (t) => {
  const rude = await recorder(t, resetting)
  const w = await world(t, { config: release({ v1: rude.url }) })
  const a = await w.send()
  assert.equal(a.status, 502)
  assert.equal(a.error, 'RAMP_ERR_UPSTREAM_RESET')
  assert.equal(rude.traffic().length, 1)
  assert.equal(await w.metric('ramp_retries_total', { version: 'v1', reason: 'reset', result: 'no_other_backend' }), 1)
  assert.equal(await w.metric('ramp_retries_total', { result: 'retried' }), 0)
})

test('issue: a 503 of the only backend is tried once (reply-from\'s own default tried a GET\'s 503 eleven times there)', async (t) => {
  const unavailable = await recorder(t, answering(503))
  const off = await world(t, { config: release({ v1: unavailable.url, more: 'retry: { attempts: 1 }' }) })
  assert.equal((await off.send()).status, 503)
  assert.equal(unavailable.traffic().length, 1)
  const on = await world(t, { config: release({ v1: unavailable.url }) })
  assert.equal((await on.send()).status, 503)
  assert.equal(unavailable.traffic().length, 2)
  assert.equal(await on.metric('ramp_retries_total', { reason: 'status', result: 'no_other_backend' }), 1)
})

test('the body of a retried status is discarded, so it holds no upstream socket', async (t) => {
  const open = new Set<Socket>()
  const body = Buffer.alloc(1 << 20, 'x')
  const large = await recorder(t, (req, res) => {
    const socket = req.socket
    if (!open.has(socket)) {
      open.add(socket)
      socket.once('close', () => open.delete(socket))
    }
    res.writeHead(503, { 'content-length': String(body.length) }).end(body)
  })
  const [v1] = await backends(t, 'v1')
  const w = await world(t, { config: release({ v1: [v1.url, large.url] }) })
  const answers = await sendUntil(() => large.traffic().length >= 3, () => w.send())
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200))
  await waitFor('every socket that carried a discarded 503 body to close', () => open.size === 0)
})
