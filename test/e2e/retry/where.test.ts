import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { test } from 'node:test'
import { closedPort } from '../../analysis/serve.js'
import { backend, canaryRouted, rampWith, waitFor } from '../../support/ramp.js'
import { answering, nothingInFlight, resetting, retriesCounted, send, sendUntil, upstream, v1Over } from './support.js'

test('a GET that meets a reset is served by the other backend of its version, counted once as retried', async (t) => {
  const rude = await resetting(t)
  const good = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, v1Over([good.url, rude.url]))
  const answers = await sendUntil(() => rude.seen.length === 1, () => send(ramp))
  assert.deepEqual(answers.map((a) => [a.status, a.version]), answers.map(() => [200, 'v1']))
  assert.equal(good.served(), answers.length, 'the good backend answered every request, the retried one included')
  assert.equal(await retriesCounted(ramp, { version: 'v1', reason: 'reset', result: 'retried' }), 1)
  assert.equal(await retriesCounted(ramp), 1)
  await waitFor('in-flight counts back to 0 on both backends', () => nothingInFlight(ramp))
})

test('a GET to a backend where nothing listens is retried on the other backend', async (t) => {
  const good = await backend(t, { name: 'v1' })
  const ramp = await rampWith(t, v1Over([await closedPort(), good.url]))
  const answers = await Promise.all([0, 1, 2, 3].map(async () => send(ramp)))
  for (let i = 0; i < 4; i++) answers.push(await send(ramp))
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200))
  const retried = await retriesCounted(ramp, { version: 'v1', reason: 'connect', result: 'retried' })
  assert.ok(retried >= 1, 'some requests went to the dead backend first')
  assert.equal(good.served(), answers.length)
  await waitFor('in-flight counts back to 0', () => nothingInFlight(ramp))
})

test('a status in retry.onStatus is retried on the other backend; a status not listed is returned', async (t) => {
  const unavailable = await answering(t, 503)
  const broken = await answering(t, 500)
  const listed = await rampWith(t, v1Over([(await backend(t, { name: 'v1' })).url, unavailable.url]))
  const fine = await sendUntil(() => unavailable.seen.length >= 2, () => send(listed))
  assert.deepEqual(fine.map((a) => a.status), fine.map(() => 200))
  assert.equal(await retriesCounted(listed, { reason: 'status', result: 'retried' }), unavailable.seen.length)

  const unlisted = await rampWith(t, v1Over([(await backend(t, { name: 'v1' })).url, broken.url]))
  const answers = await sendUntil(() => broken.seen.length >= 2, () => send(unlisted))
  assert.equal(answers.filter((a) => a.status === 500).length, broken.seen.length, 'every 500 reached the client')
  assert.equal(await retriesCounted(unlisted), 0)
})

test('a retry stays in its version: v1 failing and v2 healthy, requests sent to v1 by the override header never reach v2', async (t) => {
  const [r1, r2] = [await resetting(t), await resetting(t)]
  const v2 = await upstream(t, (_req, res) => res.end('v2'))
  const ramp = await rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${r1.url}", "${r2.url}"] }
canary: { name: v2, backends: ["${v2.url}"] }
weight: 50
readiness: { intervalMs: 20 }
outlier: { enabled: false }
`)
  await canaryRouted(ramp)
  for (let i = 0; i < 4; i++) {
    const a = await send(ramp, { headers: { 'x-ramp-version': 'v1' } })
    assert.equal(a.status, 502)
    assert.equal(a.error, 'RAMP_ERR_UPSTREAM_RESET')
  }
  assert.deepEqual([r1.seen.length, r2.seen.length], [4, 4], 'each request tried both v1 backends, one after the other')
  assert.deepEqual(v2.seen.filter((s) => s.url !== '/healthz'), [])
  assert.equal(await retriesCounted(ramp, { version: 'v1', reason: 'reset', result: 'retried' }), 4)
  assert.equal(await retriesCounted(ramp, { version: 'v2' }), 0)
})

test('with no other backend in the version the first failure is returned, counted as no_other_backend', async (t) => {
  const rude = await resetting(t)
  const ramp = await rampWith(t, v1Over([rude.url]))
  const a = await send(ramp)
  assert.equal(a.status, 502)
  assert.equal(a.error, 'RAMP_ERR_UPSTREAM_RESET')
  assert.equal(rude.seen.length, 1)
  assert.equal(await retriesCounted(ramp, { version: 'v1', reason: 'reset', result: 'no_other_backend' }), 1)
  assert.equal(await retriesCounted(ramp, { result: 'retried' }), 0)
})

test('issue: a 503 of the only backend is tried once (reply-from\'s own default tried a GET\'s 503 eleven times there)', async (t) => {
  const unavailable = await answering(t, 503)
  const off = await rampWith(t, v1Over([unavailable.url], 'retry: { attempts: 1 }\n'))
  assert.equal((await send(off)).status, 503)
  assert.equal(unavailable.seen.length, 1)
  const on = await rampWith(t, v1Over([unavailable.url]))
  assert.equal((await send(on)).status, 503)
  assert.equal(unavailable.seen.length, 2)
  assert.equal(await retriesCounted(on, { reason: 'status', result: 'no_other_backend' }), 1)
})

test('the body of a retried status is discarded, so it holds no upstream socket', async (t) => {
  const open = new Set<Socket>()
  const body = Buffer.alloc(1 << 20, 'x')
  const large = await upstream(t, (req, res) => {
    const socket = req.socket
    if (!open.has(socket)) {
      open.add(socket)
      socket.once('close', () => open.delete(socket))
    }
    res.writeHead(503, { 'content-length': String(body.length) }).end(body)
  })
  const ramp = await rampWith(t, v1Over([(await backend(t, { name: 'v1' })).url, large.url]))
  const answers = await sendUntil(() => large.seen.length >= 3, () => send(ramp))
  assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200))
  await waitFor('every socket that carried a discarded 503 body to close', () => open.size === 0)
})
